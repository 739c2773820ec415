namespace Portal.Core.Tests.Text;

/// <summary>The oracle the sanitiser's tests rely on must itself catch what it claims to.</summary>
public class HtmlSafetyTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<p>a<SCRIPT>alert(1)</SCRIPT></p>")]
    [InlineData("<iframe src=\"https://evil.example\"></iframe>")]
    [InlineData("<p onclick=\"alert(1)\">x</p>")]
    [InlineData("<a href=\"https://example.com\" onmouseover=\"alert(1)\">x</a>")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    [InlineData("<a href=\" &#x01;JaVa&#x09;Scr&#x0A;ipt:alert(1)\">x</a>")]
    [InlineData("<a href=\"%6Aavascript:alert(1)\">x</a>")]
    [InlineData("<a href=\"data:text/html,hi\">x</a>")]
    [InlineData("<a href=\"vbscript:msgbox(1)\">x</a>")]
    [InlineData("<a href=\"ftp://example.com\">x</a>")]
    [InlineData("<img src=\"https://example.com/a.png\" />")]
    [InlineData("<p><!-- hidden --></p>")]
    [InlineData("<p><![CDATA[<script>]]></p>")]
    [InlineData("<p>unclosed")]
    [InlineData("<td style=\"background:url(javascript:alert(1))\">x</td>")]
    public void Inspect_UnsafeMarkup_ReportsViolation(string html)
    {
        Assert.NotEmpty(HtmlSafety.Inspect(html).Violations);
    }

    [Theory]
    [InlineData("<p>&lt;script&gt;alert(1)&lt;/script&gt; onclick=x</p>\n")]
    [InlineData("<p><a href=\"https://example.com\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">x</a></p>")]
    [InlineData("<p><a href=\"#\">x</a> <a href=\"/docs/javascript:x\">y</a> <a href=\"mailto:a@example.com\">z</a></p>")]
    [InlineData("<p>\u0001</p>")]
    public void Inspect_SafeMarkup_NoViolation(string html)
    {
        Assert.Empty(HtmlSafety.Inspect(html).Violations);
    }
}
