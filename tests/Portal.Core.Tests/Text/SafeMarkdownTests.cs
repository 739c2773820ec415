using Portal.Core.Text;

namespace Portal.Core.Tests.Text;

public class SafeMarkdownTests
{
    /// <summary>Hostile Markdown and a piece of its text that must still be visible (unescaped by the parser).</summary>
    public static TheoryData<string, string> Payloads => new()
    {
        { "<script>alert(1)</script>", "<script>alert(1)</script>" },
        { "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>", "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>" },
        { "<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>" },
        { "<iframe src=\"https://evil.example\"></iframe>", "<iframe src=\"https://evil.example\"></iframe>" },
        { "<svg onload=alert(1)>", "<svg onload=alert(1)>" },
        { "<style>body{display:none}</style>", "<style>body{display:none}</style>" },
        { "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>", "xlink:href=\"javascript:alert(1)\"" },
        { "<a href=\"javascript:alert(1)\">x</a>", "<a href=\"javascript:alert(1)\">x</a>" },
        { "Before\n\n<div onclick=\"alert(1)\">\n\nafter", "<div onclick=\"alert(1)\">" },
        { "<!-- <script>alert(1)</script> -->", "<!-- <script>alert(1)</script> -->" },
        { "[x](https://example.com){onclick=alert(1)}", "{onclick=alert(1)}" },
        { "# Title {onclick=\"alert(1)\" .cls}", "Title {onclick=\"alert(1)\" .cls}" },
        { "[x](https://example.com \"\\\" onmouseover=\\\"alert(1)\")", "x" },
        { "```js\" onclick=\"alert(1)\nlet a = 1;\n```", "let a = 1;" },
        { "```html\n<script>alert(1)</script>\n```", "<script>alert(1)</script>" },
        { "    <script>alert(1)</script>", "<script>alert(1)</script>" },
        { "`<script>alert(1)</script>`", "<script>alert(1)</script>" },
        { "www.example.com/<script>alert(1)</script>", "<script>alert(1)</script>" },
        { "[x](javascript:alert(1))", "x" },
        { "[x](JaVaScRiPt:alert(1))", "x" },
        { "[x]( javascript:alert(1))", "x" },
        { "[x](&#106;avascript:alert(1))", "x" },
        { "[x](&#x6A;&#x61;vascript:alert(1))", "x" },
        { "[x](java&#x09;script:alert(1))", "x" },
        { "[x](java&#10;script:alert(1))", "x" },
        { "[x](&#x01;javascript:alert(1))", "x" },
        { "[x](\u200Bjavascript:alert(1))", "x" },
        { "[x](javascript&colon;alert(1))", "x" },
        { "[x](%6Aavascript:alert(1))", "x" },
        { "[x](%256Aavascript:alert(1))", "x" },
        { "[x](vbscript:msgbox(1))", "x" },
        { "[x](file:///etc/passwd)", "x" },
        { "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "x" },
        { "![x](javascript:alert(1))", "x" },
        { "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", "x" },
        { "[![x](data:image/png;base64,AAAA)](javascript:alert(1))", "x" },
        { "<javascript:alert(1)>", "javascript:alert(1)" },
        { "<JAVASCRIPT:alert(1)>", "JAVASCRIPT:alert(1)" },
        { "<data:text/html,hi>", "data:text/html,hi" },
        { "[x][1]\n\n[1]: javascript:alert(1)", "x" },
        { "[x]\n\n[x]: &#x6A;avascript:alert(1) \"t\"", "x" },
        { "[x][y]\n\n[y]: <vbscript:msgbox(1)>", "x" },
    };

    /// <summary>Payloads whose only link must end up pointing at <c>#</c>.</summary>
    public static TheoryData<string> DangerousLinks => new()
    {
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](java&#10;script:alert(1))",
        "[x](&#x01;javascript:alert(1))",
        "[x](\u200Bjavascript:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](%6Aavascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](file:///etc/passwd)",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
        "![x](data:image/png;base64,AAAA)",
        "<javascript:alert(1)>",
        "<data:text/html,hi>",
        "[x][1]\n\n[1]: javascript:alert(1)",
        "[x]\n\n[x]: DATA:text/html,hi",
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void ToHtml_HostilePayload_NoScriptAndTextSurvives(string markdown, string visible)
    {
        var html = SafeMarkdown.ToHtml(markdown);

        var result = HtmlSafety.AssertSafe(html);
        Assert.Contains(visible, result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DangerousLinks))]
    public void ToHtml_DangerousLinkDestination_RewrittenToHash(string markdown)
    {
        var result = HtmlSafety.AssertSafe(SafeMarkdown.ToHtml(markdown));

        var link = Assert.Single(result.Elements, e => e.Name == "a");
        Assert.Equal("#", link.Attributes["href"]);
        Assert.False(link.Attributes.ContainsKey("target"));
    }

    [Fact]
    public void ToHtml_ScriptInFencedCode_EscapedInsideCode()
    {
        var html = SafeMarkdown.ToHtml("```html\n<script>alert(1)</script>\n```");

        Assert.Equal(
            "<pre><code class=\"language-html\">&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n", html);
    }

    [Fact]
    public void ToHtml_QuoteInCodeLanguage_StaysInsideClass()
    {
        var result = HtmlSafety.AssertSafe(SafeMarkdown.ToHtml("```js\" onclick=\"alert(1)\nlet a = 1;\n```"));

        var code = Assert.Single(result.Elements, e => e.Name == "code");
        Assert.Equal(["class"], code.Attributes.Keys);
    }

    [Fact]
    public void ToHtml_Heading_RendersHeadingWithoutId()
    {
        Assert.Equal("<h1>Title</h1>\n<h2>Sub <em>part</em></h2>\n", SafeMarkdown.ToHtml("# Title\n\n## Sub *part*"));
    }

    [Fact]
    public void ToHtml_BoldItalicStrikethrough_RenderAsExpected()
    {
        Assert.Equal(
            "<p><strong>bold</strong> <em>italic</em> <del>gone</del></p>\n",
            SafeMarkdown.ToHtml("**bold** _italic_ ~~gone~~"));
    }

    [Fact]
    public void ToHtml_PlusPlusCaretAndTilde_LeftAsText()
    {
        Assert.Equal("<p>C++ and C++, x^2^, ~5~ min</p>\n", SafeMarkdown.ToHtml("C++ and C++, x^2^, ~5~ min"));
    }

    [Fact]
    public void ToHtml_Lists_RenderAsExpected()
    {
        Assert.Equal(
            "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<ol start=\"3\">\n<li>c</li>\n</ol>\n",
            SafeMarkdown.ToHtml("- a\n- b\n\n3. c"));
    }

    [Fact]
    public void ToHtml_TaskList_RendersDisabledCheckboxes()
    {
        var result = HtmlSafety.AssertSafe(SafeMarkdown.ToHtml("- [x] done\n- [ ] todo"));

        var boxes = result.Elements.Where(e => e.Name == "input").ToList();
        Assert.Equal(2, boxes.Count);
        Assert.All(boxes, b => Assert.Equal("checkbox", b.Attributes["type"]));
        Assert.All(boxes, b => Assert.True(b.Attributes.ContainsKey("disabled")));
        Assert.True(boxes[0].Attributes.ContainsKey("checked"));
        Assert.False(boxes[1].Attributes.ContainsKey("checked"));
    }

    [Fact]
    public void ToHtml_PipeTable_RendersTableWithAlignment()
    {
        var result = HtmlSafety.AssertSafe(SafeMarkdown.ToHtml("| Model | Score |\n|---|--:|\n| A | 0.9 |"));

        Assert.Equal(
            ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"],
            result.Elements.Select(e => e.Name));
        Assert.Equal("text-align: right;", result.Elements[4].Attributes["style"]);
        Assert.Contains("Model", result.Text, StringComparison.Ordinal);
        Assert.Contains("0.9", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToHtml_FencedCode_HasLanguageClassAndEscapedBody()
    {
        Assert.Equal(
            "<pre><code class=\"language-csharp\">var ok = 1 &lt; 2 &amp;&amp; a &gt; b;\n</code></pre>\n",
            SafeMarkdown.ToHtml("```csharp\nvar ok = 1 < 2 && a > b;\n```"));
    }

    [Fact]
    public void ToHtml_HttpsLink_ExternalWithRelAndTarget()
    {
        Assert.Equal(
            "<p><a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">x</a></p>\n",
            SafeMarkdown.ToHtml("[x](https://example.com/a?b=1&c=2)"));
    }

    [Theory]
    [InlineData("www.example.com", "http://www.example.com")]
    [InlineData("see https://example.com/path.", "https://example.com/path")]
    [InlineData("<https://example.com>", "https://example.com")]
    [InlineData("[x](//example.com)", "//example.com")]
    [InlineData("[x](HTTPS://example.com)", "HTTPS://example.com")]
    public void ToHtml_ExternalLinkForms_KeepUrlAndGetRelAndTarget(string markdown, string href)
    {
        var result = HtmlSafety.AssertSafe(SafeMarkdown.ToHtml(markdown));

        var link = Assert.Single(result.Elements, e => e.Name == "a");
        Assert.Equal(href, link.Attributes["href"]);
        Assert.Equal(SafeMarkdown.ExternalRel, link.Attributes["rel"]);
        Assert.Equal("_blank", link.Attributes["target"]);
    }

    [Theory]
    [InlineData("[x](/guidelines/3)", "/guidelines/3")]
    [InlineData("[x](#scoring)", "#scoring")]
    [InlineData("[x](../other)", "../other")]
    [InlineData("[x](mailto:lead@example.com)", "mailto:lead@example.com")]
    [InlineData("<lead@example.com>", "mailto:lead@example.com")]
    [InlineData("[x]()", "")]
    public void ToHtml_RelativeFragmentAndMailtoLinks_KeptWithoutTarget(string markdown, string href)
    {
        var result = HtmlSafety.AssertSafe(SafeMarkdown.ToHtml(markdown));

        var link = Assert.Single(result.Elements, e => e.Name == "a");
        Assert.Equal(href, link.Attributes["href"]);
        Assert.False(link.Attributes.ContainsKey("target"));
        Assert.False(link.Attributes.ContainsKey("rel"));
    }

    [Fact]
    public void ToHtml_Image_RenderedAsLinkWithAltText()
    {
        Assert.Equal(
            "<p><a href=\"https://example.com/cat.png\" rel=\"nofollow noopener noreferrer\" target=\"_blank\" title=\"A cat\">a cat</a></p>\n",
            SafeMarkdown.ToHtml("![a cat](https://example.com/cat.png \"A cat\")"));
    }

    [Fact]
    public void ToHtml_ImageWithoutAlt_LinkTextIsImage()
    {
        var result = HtmlSafety.AssertSafe(SafeMarkdown.ToHtml("![](https://example.com/cat.png)"));

        Assert.Equal("image", result.Text.Trim());
    }

    [Fact]
    public void ToHtml_ImageInsideLink_OneLinkWithAltText()
    {
        var result = HtmlSafety.AssertSafe(
            SafeMarkdown.ToHtml("[![badge](https://example.com/b.svg)](https://example.com/ci)"));

        var link = Assert.Single(result.Elements, e => e.Name == "a");
        Assert.Equal("https://example.com/ci", link.Attributes["href"]);
        Assert.Equal("badge", result.Text.Trim());
    }

    [Fact]
    public void ToHtml_EmptyInput_EmptyOutput()
    {
        Assert.Equal(string.Empty, SafeMarkdown.ToHtml(string.Empty));
    }

    [Fact]
    public void ToHtml_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => SafeMarkdown.ToHtml(null!));
    }

    [Fact]
    public void ToPlainText_FormattedMarkdown_TextWithoutMarkupOrUrls()
    {
        var text = SafeMarkdown.ToPlainText(
            "# Title\n\nSome **bold** and [a link](https://example.com) and ![alt](https://example.com/i.png).");

        Assert.Equal("Title\nSome bold and a link and alt.", text);
    }

    [Fact]
    public void ToPlainText_RawHtml_KeptAsLiteralTextNotMarkup()
    {
        Assert.Equal("<script>alert(1)</script>", SafeMarkdown.ToPlainText("<script>alert(1)</script>"));
    }

    [Fact]
    public void ToPlainText_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => SafeMarkdown.ToPlainText(null!));
    }

    [Theory]
    [InlineData('>', 100_000)]
    [InlineData('>', 1_000)]
    [InlineData('[', 50_000)]
    [InlineData('*', 100_000)]
    public void ToHtml_AbsurdlyNested_FallsBackToEscapedText(char c, int depth)
    {
        var markdown = new string(c, depth) + " <script>alert(1)</script> end";

        var html = SafeMarkdown.ToHtml(markdown);

        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; end", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void TryToHtml_HundredThousandQuoteLevels_RefusedWithAReasonAndTheTextShownAsItIs()
    {
        var markdown = new string('>', 100_000) + " deep & <b>bold</b>";

        Assert.False(SafeMarkdown.TryToHtml(markdown, out var html, out var problem));

        Assert.Equal("", html);
        Assert.Contains("nested", problem, StringComparison.OrdinalIgnoreCase);
        Assert.Equal($"<pre class=\"{SafeMarkdown.FallbackClass}\">{new string('>', 100_000).Replace(">", "&gt;", StringComparison.Ordinal)} deep &amp; &lt;b&gt;bold&lt;/b&gt;</pre>",
            SafeMarkdown.ToHtml(markdown));
    }

    [Fact]
    public void TryToHtml_OrdinaryNesting_Renders()
    {
        Assert.True(SafeMarkdown.TryToHtml("> > > quoted\n\n- a\n  - b\n    - c", out var html, out var problem));

        Assert.Null(problem);
        Assert.Contains("<blockquote>", html, StringComparison.Ordinal);
    }
}
