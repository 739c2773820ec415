using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features;
using Portal.App.Features.Invites;
using Portal.App.Features.Organisations;
using Portal.Web.Api;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Organisations;

internal sealed record MemberResponse(Guid UserId, string Email, string DisplayName, IReadOnlyList<string> Roles, DateTime Since);

internal sealed record CreateInviteRequest(IReadOnlyList<string> Roles, int ExpiresInHours = 72, string? Note = null);

internal sealed record InviteResponse(Guid Id, IReadOnlyList<string> Roles, string? Note, DateTime CreatedAt, DateTime ExpiresAt, string State);

internal sealed record CreatedInviteResponse(Guid Id, string Url, DateTime ExpiresAt);

internal static class MemberEndpoints
{
    public static RouteGroupBuilder MapMemberEndpoints(this RouteGroupBuilder org)
    {
        var members = org.MapGroup("/members").RequireAuthorization(Policies.OrgAdmin);
        members.MapGet("/", async Task<Results<Ok<IReadOnlyList<MemberResponse>>, ValidationProblem>> (
                Guid orgId, int? page, int? pageSize, string? search, HttpResponse response, OrganisationService organisations, CancellationToken ct) =>
            {
                ListQuery? query;
                try
                {
                    query = ApiPaging.Read(page, pageSize, search);
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }

                var rows = query is null ? Whole(await organisations.ListMembersAsync(orgId, ct)) : await organisations.PageMembersAsync(orgId, query, ct);
                return ApiPaging.Answer(response, new ListPage<MemberResponse>(
                    [.. rows.Items.Select(m => new MemberResponse(m.UserId, m.Email, m.DisplayName, OrgRoleNames.Format(m.Roles), m.Since))], rows.Total));
            })
            .WithName("Members_List")
            .WithSummary("Members of the organisation and their roles, by e-mail. page, pageSize (at most 200) and search (name or e-mail) read one " +
                "page; the header X-Total-Count says how many members match. Without them: every member.");
        members.MapDelete("/{userId:guid}", async Task<Results<NoContent, NotFound, ValidationProblem>> (
                Guid orgId, Guid userId, ClaimsPrincipal user, OrganisationService organisations, CancellationToken ct) =>
            {
                if (userId == user.UserId())
                {
                    return PortalApi.Invalid(new PortalValidationException("userId", "You cannot remove yourself; ask another organisation admin."));
                }

                return await organisations.RemoveMemberAsync(orgId, userId, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
            })
            .WithName("Members_Remove").WithSummary("Removes a person from the organisation.");
        return org;
    }

    public static RouteGroupBuilder MapInviteEndpoints(this RouteGroupBuilder org)
    {
        var invites = org.MapGroup("/invites").RequireAuthorization(Policies.OrgAdmin);
        invites.MapGet("/", async Task<Results<Ok<IReadOnlyList<InviteResponse>>, ValidationProblem>> (
                Guid orgId, int? page, int? pageSize, string? search, HttpResponse response, InviteService service, TimeProvider clock, CancellationToken ct) =>
            {
                ListQuery? query;
                try
                {
                    query = ApiPaging.Read(page, pageSize, search);
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }

                var rows = query is null ? Whole(await service.ListAsync(orgId, ct)) : await service.PageAsync(orgId, query, ct);
                return ApiPaging.Answer(response, new ListPage<InviteResponse>([.. rows.Items.Select(i => ToResponse(i, clock))], rows.Total));
            })
            .WithName("Invites_List")
            .WithSummary("Invitations of the organisation with their state, newest first. page, pageSize (at most 200) and search (the note) read one " +
                "page; the header X-Total-Count says how many invites match. Without them: every invite.");
        invites.MapPost("/", async Task<Results<Created<CreatedInviteResponse>, ValidationProblem>> (
                Guid orgId, CreateInviteRequest request, ClaimsPrincipal user, HttpRequest http, InviteService service, CancellationToken ct) =>
            {
                try
                {
                    var roles = OrganisationService.ParseRoles(string.Join(',', request.Roles ?? []));
                    // Checked before it becomes a TimeSpan: int.MaxValue hours overflows one.
                    if (request.ExpiresInHours < 1 || request.ExpiresInHours > InviteService.MaxLifetime.TotalHours)
                    {
                        throw new PortalValidationException("expiresInHours", $"An invite must expire within 1 to {InviteService.MaxLifetime.TotalHours} hours ({InviteService.MaxLifetime.TotalDays} days); {request.ExpiresInHours} is outside.");
                    }

                    var created = await service.CreateAsync(orgId, roles, TimeSpan.FromHours(request.ExpiresInHours), user.UserId(), request.Note, ct);
                    var url = $"{http.Scheme}://{http.Host}{created.Path}";
                    return TypedResults.Created($"/api/v1/orgs/{orgId}/invites/{created.Id}", new CreatedInviteResponse(created.Id, url, created.ExpiresAt));
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Invites_Create").WithSummary("Creates a single-use invite link; the link is returned once.");
        invites.MapDelete("/{inviteId:guid}", async Task<Results<NoContent, NotFound>> (Guid orgId, Guid inviteId, InviteService service, CancellationToken ct) =>
                await service.RevokeAsync(orgId, inviteId, ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .WithName("Invites_Revoke").WithSummary("Revokes an invite so its link no longer works.");
        return org;
    }

    private static ListPage<T> Whole<T>(IReadOnlyList<T> all) => new(all, all.Count);

    internal static InviteResponse ToResponse(InviteRow i, TimeProvider clock) =>
        new(i.Id, OrgRoleNames.Format(i.Roles), i.Note, i.CreatedAt, i.ExpiresAt, StateName(i, clock));

    internal static string StateName(InviteRow i, TimeProvider clock) =>
        i.RevokedAt is not null ? "revoked"
        : i.UsedAt is not null ? "used"
        : i.ExpiresAt <= clock.GetUtcNow().UtcDateTime ? "expired"
        : "open";
}
