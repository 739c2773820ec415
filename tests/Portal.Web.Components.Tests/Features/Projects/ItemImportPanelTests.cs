using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;
using Portal.App.Data;
using Portal.App.Features.Import;
using Portal.Core.Import;
using Portal.Core.Pairs;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

public class ItemImportPanelTests : PortalComponentTest
{
    [Fact]
    public void Render_Likert_LinksTheLikertSamplesFirstAndNamesTheLikertShape()
    {
        var cut = Render<ItemImportPanel>(p => p.Add(x => x.Kind, ProjectKind.Likert));

        var samples = cut.FindAll("[data-testid=import-samples] a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal("/samples/likert.jsonl", samples[0]);
        Assert.Contains("/samples/pairwise.csv", samples);
        Assert.Contains("{\"prompt\", \"response\"}", cut.Markup, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("input[type=file][data-testid=import-file]"));
    }

    [Fact]
    public async Task Options_PairwiseProject_ChoosingLabelsAndShapeSendsThemToThePage()
    {
        ImportOptions? sent = null;
        var cut = Render<ItemImportPanel>(p => p.Add(x => x.Kind, ProjectKind.Pairwise).Add(x => x.OptionsChanged, (ImportOptions o) => sent = o));

        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<FileLabels>>().Instance.ValueChanged.InvokeAsync(FileLabels.AiLabels));
        Assert.Equal(FileLabels.AiLabels, sent?.Labels);
        cut.Render(p => p.Add(x => x.Options, sent!));
        Assert.NotNull(cut.Find("[data-testid=import-source]"));

        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<PairFileFormat>>().Instance.ValueChanged.InvokeAsync(PairFileFormat.ChatbotArena));
        Assert.Equal(new ImportOptions(PairFileFormat.ChatbotArena, FileLabels.AiLabels), sent);
    }

    [Fact]
    public async Task Options_LikertProject_OffersTheLabelsAndHelpSteerAttributesButNoPairShape()
    {
        ImportOptions? sent = null;
        var cut = Render<ItemImportPanel>(p => p.Add(x => x.Kind, ProjectKind.Likert).Add(x => x.OptionsChanged, (ImportOptions o) => sent = o));

        Assert.Empty(cut.FindComponents<MudSelect<PairFileFormat>>());
        Assert.Contains("HelpSteer2", cut.Markup, StringComparison.Ordinal);
        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<FileLabels>>().Instance.ValueChanged.InvokeAsync(FileLabels.External));
        Assert.Equal(FileLabels.External, sent?.Labels);
        cut.Render(p => p.Add(x => x.Options, sent!));
        Assert.Equal("Dataset name (the raters' source)", cut.FindComponent<MudTextField<string>>().Instance.Label);

        await cut.InvokeAsync(() => cut.FindComponent<MudCheckBox<bool>>().Instance.ValueChanged.InvokeAsync(true));
        Assert.Equal(new ImportOptions(Labels: FileLabels.External, ReplaceAttributes: true), sent);
    }

    [Fact]
    public async Task Options_PairwiseProject_ExternalRatersAreAChoice()
    {
        ImportOptions? sent = null;
        var cut = Render<ItemImportPanel>(p => p.Add(x => x.Kind, ProjectKind.Pairwise).Add(x => x.OptionsChanged, (ImportOptions o) => sent = o));
        var labels = cut.FindComponent<MudSelect<FileLabels>>();

        // The select's items are in its popover: open it and pick the external choice as a user would.
        RenderProviders();
        await cut.InvokeAsync(() => labels.Instance.OpenMenu());
        var external = cut.FindComponents<MudSelectItem<FileLabels>>().Select(i => i.Instance.Value).ToList();
        Assert.Equal([FileLabels.Ignore, FileLabels.AiLabels, FileLabels.External], external);
        Assert.Empty(cut.FindComponents<MudCheckBox<bool>>());

        await cut.InvokeAsync(() => labels.Instance.ValueChanged.InvokeAsync(FileLabels.External));
        Assert.Equal(new ImportOptions(Labels: FileLabels.External), sent);
    }

    [Fact]
    public void ChooseFile_SendsTheFileToThePage()
    {
        IBrowserFile? chosen = null;
        var cut = Render<ItemImportPanel>(p => p.Add(x => x.OnFileChosen, (IBrowserFile f) => chosen = f));

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("{\"prompt\":\"Q\",\"chosen\":\"a\",\"rejected\":\"b\"}", "items.jsonl"));

        cut.WaitForAssertion(() => Assert.Equal("items.jsonl", chosen?.Name));
    }

    [Theory]
    [InlineData("likert.jsonl", ItemShape.Likert)]
    [InlineData("likert.csv", ItemShape.Likert)]
    [InlineData("pairwise.jsonl", ItemShape.Pairwise)]
    [InlineData("pairwise-trl.jsonl", ItemShape.Pairwise)]
    [InlineData("pairwise.csv", ItemShape.Pairwise)]
    public void SampleFile_ReadsCleanlyWithTheImporter(string file, ItemShape shape)
    {
        var path = Path.Combine(TestPaths.RepositoryRoot, "src", "Portal.Web", "wwwroot", "samples", file);
        using var reader = new StreamReader(path);

        var items = ItemFileReader.Read(reader, shape, ItemFileReader.IsCsv(file)).ToList();

        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.False(string.IsNullOrWhiteSpace(i.ResponseA)));
        Assert.All(items, i => Assert.Equal(shape == ItemShape.Pairwise, i.ResponseB is not null));
    }
}
