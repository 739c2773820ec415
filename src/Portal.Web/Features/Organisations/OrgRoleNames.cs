using Portal.App.Data;

namespace Portal.Web.Features.Organisations;

public static class OrgRoleNames
{
    private static readonly (OrgRoles Role, string Name, string Label)[] All =
    [
        (OrgRoles.OrgAdmin, "org-admin", "Organisation admin"),
        (OrgRoles.ProjectAdmin, "project-admin", "Project admin"),
        (OrgRoles.Annotator, "annotator", "Annotator"),
        (OrgRoles.Client, "client", "Client"),
    ];

    public static IReadOnlyList<string> Format(OrgRoles roles) => [.. All.Where(r => roles.HasFlag(r.Role)).Select(r => r.Name)];

    public static string Label(OrgRoles roles) => string.Join(", ", All.Where(r => roles.HasFlag(r.Role)).Select(r => r.Label));

    public static IReadOnlyList<(OrgRoles Role, string Label)> Choices { get; } = [.. All.Select(r => (r.Role, r.Label))];
}
