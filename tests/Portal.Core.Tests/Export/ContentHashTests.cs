using System.Text;
using Portal.Core.Export;

namespace Portal.Core.Tests.Export;

public class ContentHashTests
{
    // FIPS 180-2, appendix B.1.
    private const string AbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    [Fact]
    public void Of_Abc_PublishedDigest()
    {
        Assert.Equal(AbcSha256, ContentHash.Of("abc"u8));
    }

    [Fact]
    public async Task Finish_AfterWritesInPieces_HashOfAllBytesAndBytesPassedOn()
    {
        using var inner = new MemoryStream();
        await using var hashing = new ContentHashStream(inner, leaveOpen: true);

        hashing.WriteByte((byte)'a');
        hashing.Write("b"u8);
        await hashing.WriteAsync(Encoding.ASCII.GetBytes("c"));

        Assert.Equal(AbcSha256, hashing.Finish());
        Assert.Equal(AbcSha256, hashing.Finish());
        Assert.Equal(3, hashing.BytesWritten);
        Assert.Equal("abc"u8.ToArray(), inner.ToArray());
    }

    [Fact]
    public void Write_AfterFinish_Throws()
    {
        using var hashing = new ContentHashStream(new MemoryStream());
        hashing.Finish();

        Assert.False(hashing.CanWrite);
        Assert.Throws<InvalidOperationException>(() => hashing.Write("x"u8));
    }

    [Fact]
    public async Task OfAsync_Stream_SameAsWhileWriting()
    {
        using var stream = new MemoryStream();
        string hash;
        using (var hashing = new ContentHashStream(stream, leaveOpen: true))
        {
            PairExport.Write(hashing, ExportRows.PairRows(), new PairExportOptions(ExportFormat.TrlConversational));
            hash = hashing.Finish();
        }

        stream.Position = 0;
        Assert.Equal(hash, await ContentHash.OfAsync(stream));
    }

    [Fact]
    public async Task Dispose_LeaveOpenFalse_DisposesInner()
    {
        var inner = new MemoryStream();
        await using (new ContentHashStream(inner))
        {
        }

        Assert.False(inner.CanWrite);
    }
}
