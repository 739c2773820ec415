using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Portal.Core.Text;

namespace Portal.Core.Tests.Text;

public class SafeMarkdownPropertyTests
{
    /// <summary>Pieces of Markdown, HTML and URL syntax that attacks are built from.</summary>
    private static readonly string[] Fragments =
    [
        "<", ">", "</", "/>", "<script>", "</script>", "<img src=x ", "onerror=", "onload=", "<svg ", "<iframe ",
        "<a href=", "\"", "'", "=", "<!--", "-->", "<![CDATA[", "]]>", "{", "}", "{onclick=alert(1)}", ".cls", "#id",
        "[", "]", "(", ")", "![", "](", "[1]: ", "[1]", "<", "javascript:", "JaVaScRiPt:", "vbscript:", "data:",
        "file:", "java", "script:", "&#106;", "&#x6A;", "&#x09;", "&#10;", "&colon;", "&", ";", "%6A", "%25", ":",
        "alert(1)", "https://", "http://", "www.", "mailto:", "@", "example.com", "//", "\\", "`", "```", "~~~",
        "    ", " ", "\t", "\n", "\n\n", "\r", "\0", "\u0001", "\u200B", "*", "**", "_", "~~", "|", "|---|", "- ",
        "- [x] ", "1. ", "# ", "> ", "x",
    ];

    private static Gen<string> HostileMarkdown() =>
        Gen.Frequency(
            (4, Gen.ListOf(Gen.Elements(Fragments)).Select(parts => string.Concat(parts))),
            (1, ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty)));

    [Property(MaxTest = 1000)]
    public Property ToHtml_AnyInput_OutputIsSafeMarkup() =>
        Prop.ForAll(
            HostileMarkdown().ToArbitrary(),
            markdown =>
            {
                var violations = HtmlSafety.Inspect(SafeMarkdown.ToHtml(markdown)).Violations;
                return (violations.Count == 0).Label(string.Join("; ", violations));
            });
}
