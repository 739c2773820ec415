using Portal.App.Data;

namespace Portal.TestSupport;

/// <summary>Lists longer than one page, written straight to the database (no password hashing), for paging and search tests.</summary>
public static class ListBuilders
{
    /// <summary>
    /// <paramref name="count"/> annotators named "{prefix} 01", "{prefix} 02", … with e-mails "{prefix}-01@lists.test", …
    /// (the prefix lower-cased), members of the organisation since one minute apart.
    /// </summary>
    public static async Task<IReadOnlyList<PortalUser>> AddMembersAsync(this TestDatabase db, Guid tenantId, int count, string prefix = "Member",
        OrgRoles roles = OrgRoles.Annotator)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var start = DateTime.UtcNow.AddDays(-1);
        var users = new List<PortalUser>();
        for (var i = 1; i <= count; i++)
        {
            var email = $"{prefix.ToLowerInvariant().Replace(' ', '-')}-{i:00}@lists.test";
            var user = new PortalUser
            {
                Id = Guid.CreateVersion7(),
                UserName = email,
                NormalizedUserName = email.ToUpperInvariant(),
                Email = email,
                NormalizedEmail = email.ToUpperInvariant(),
                DisplayName = $"{prefix} {i:00}",
                SecurityStamp = Guid.NewGuid().ToString(),
                CreatedAt = start,
            };
            ctx.Users.Add(user);
            ctx.Memberships.Add(new Membership { UserId = user.Id, Roles = roles, CreatedAt = start.AddMinutes(i) });
            users.Add(user);
        }

        await ctx.SaveChangesAsync();
        return users;
    }

    /// <summary>
    /// <paramref name="count"/> finished runs of <paramref name="jobName"/> for the organisation (and project, if given),
    /// queued one minute apart, the newest last; each message says "{jobName} run {n}".
    /// </summary>
    public static async Task<IReadOnlyList<JobRun>> AddJobRunsAsync(this TestDatabase db, Guid? tenantId, Guid? projectId, int count, string jobName = "import-items")
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var ctx = db.Factory.CreateSystem();
        var start = DateTime.UtcNow.AddHours(-2);
        var runs = new List<JobRun>();
        for (var i = 1; i <= count; i++)
        {
            var queued = start.AddMinutes(i);
            var run = new JobRun
            {
                TenantId = tenantId,
                ProjectId = projectId,
                JobName = jobName,
                Status = RunStatus.Succeeded,
                Progress = 100,
                Message = $"{jobName} run {i:00}",
                QueuedAt = queued,
                StartedAt = queued,
                EndedAt = queued.AddSeconds(2),
            };
            ctx.JobRuns.Add(run);
            runs.Add(run);
        }

        await ctx.SaveChangesAsync();
        return runs;
    }
}
