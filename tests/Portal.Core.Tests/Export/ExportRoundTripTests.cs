using Portal.Core.Aggregation;
using Portal.Core.Export;
using Portal.Core.Pairs;
using Portal.Core.Tests.Pairs;

namespace Portal.Core.Tests.Export;

public class ExportRoundTripTests
{
    [SharedDataFact(SharedData.HhRlhfHarmless)]
    public void Write_HhRlhfHarmlessInEveryPairFormat_ReadsBackToTheSamePairs()
    {
        List<PreferencePair> source;
        using (var reader = PreferencePairReader.OpenFile(SharedData.Find(SharedData.HhRlhfHarmless)!))
        {
            source = [.. PreferencePairReader.Read(reader)];
        }
        var rows = source.Select(p => new CuratedPairRow(p.ExternalId, p.Conversation, p.ResponseA, p.ResponseB, PreferenceChoice.A, CuratedLabelSource.Human)
        {
            Ratings = 1,
            Annotators = [ExportRows.Ann1],
        });

        foreach (var format in (ExportFormat[])[ExportFormat.TrlPlain, ExportFormat.TrlConversational, ExportFormat.HhRlhf])
        {
            using var stream = new MemoryStream();
            var summary = PairExport.Write(stream, rows, new PairExportOptions(format));
            stream.Position = 0;
            using var text = new StreamReader(stream);
            var back = PreferencePairReader.Read(text).ToList();

            Assert.Equal(1156, summary.Pairs);
            Assert.Equal(source.Count, back.Count);
            for (var i = 0; i < source.Count; i++)
            {
                var (expected, actual) = (source[i], back[i]);
                Assert.True(expected.Conversation.SequenceEqual(actual.Conversation), $"{format}, pair {i + 1}: the conversation differs");
                Assert.True(expected.ResponseA == actual.ResponseA, $"{format}, pair {i + 1}: chosen differs");
                Assert.True(expected.ResponseB == actual.ResponseB, $"{format}, pair {i + 1}: rejected differs");
                Assert.Equal(Preference.A, actual.Label);
            }
        }
    }
}
