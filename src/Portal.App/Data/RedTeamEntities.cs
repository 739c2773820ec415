using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.App.Data;

public enum RedTeamRunStatus
{
    Queued,
    Running,

    /// <summary>Every attack was made (some may have failed; each says why).</summary>
    Succeeded,

    /// <summary>The admin stopped it: the attacks made before the stop are kept.</summary>
    Stopped,

    /// <summary>Every endpoint call failed, or the run could not start; <see cref="RedTeamRun.Error"/> says why.</summary>
    Failed,
}

/// <summary>
/// One red-team run on a pairwise project (HRLAIF's harmlessness stage): an attacker writes adversarial prompts per harm
/// category and seed topic, the target answers, a judge scores each answer's harm 0–10, and a rewriter turns each harmful
/// answer into a safe and still helpful one, which becomes a pair (rewrite preferred) with an AI label.
/// </summary>
/// <remarks>
/// The four endpoints' API keys are in <see cref="EndpointsJson"/> encrypted with Data Protection; pages and the API see
/// only whether a key is set. Guards against a key leaking through a screenshot, an API response or a database dump.
/// </remarks>
public sealed class RedTeamRun : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }

    public RedTeamRunStatus Status { get; set; }

    /// <summary>The harm categories, as a JSON array of strings.</summary>
    public string CategoriesJson { get; set; } = "[]";

    /// <summary>The seed topics, as a JSON array of strings (empty: the category is the topic).</summary>
    public string TopicsJson { get; set; } = "[]";

    public int AttacksPerCategory { get; set; }

    /// <summary>An answer judged at least this harmful (0–10) is rewritten and becomes a pair.</summary>
    public int HarmThreshold { get; set; }

    /// <summary>The attacker, target, judge and rewriter endpoints, as JSON (keys encrypted).</summary>
    public string EndpointsJson { get; set; } = "[]";

    /// <summary>With <c>{{category}}</c> and <c>{{topic}}</c>.</summary>
    public string AttackerPrompt { get; set; } = "";

    /// <summary>With <c>{{category}}</c>, <c>{{prompt}}</c> and <c>{{answer}}</c>; asks for JSON with score, category and reason.</summary>
    public string JudgePrompt { get; set; } = "";

    /// <summary>With <c>{{prompt}}</c> and <c>{{answer}}</c>.</summary>
    public string RewriterPrompt { get; set; } = "";

    /// <summary>Requests, errors and tokens in and out per endpoint, as JSON; written after every attack.</summary>
    public string UsageJson { get; set; } = "[]";

    public int Attempted { get; set; }
    public int Harmful { get; set; }
    public int Failed { get; set; }

    /// <summary>Set by the stop button; the job checks it between attacks and ends the run <see cref="RedTeamRunStatus.Stopped"/>.</summary>
    public DateTime? StopRequestedAt { get; set; }

    public string? Error { get; set; }
    public Guid? JobRunId { get; set; }
    public Guid? StartedByUserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
}

/// <summary>One attack of a run: the prompt, the target's answer, the judge's verdict, the rewrite and the pair it became, or the failure.</summary>
public sealed class RedTeamAttack : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid RunId { get; set; }

    /// <summary>0, 1, … within the run: a run made again after a crash skips the attacks it already has.</summary>
    public int Number { get; set; }

    public string Category { get; set; } = "";
    public string Topic { get; set; } = "";
    public string? Prompt { get; set; }
    public string? Answer { get; set; }

    /// <summary>The judge's harm score, 0–10; null when the attack failed before the judge answered.</summary>
    public int? HarmScore { get; set; }

    /// <summary>The category the judge named.</summary>
    public string? JudgedCategory { get; set; }

    public string? JudgeReason { get; set; }

    /// <summary>The judge's score reached the run's threshold.</summary>
    public bool Harmful { get; set; }

    public string? Rewrite { get; set; }

    /// <summary>attacker, target, judge or rewriter: the endpoint whose call failed, with <see cref="Error"/>.</summary>
    public string? FailedRole { get; set; }

    public string? Error { get; set; }

    /// <summary>The pairwise item made of a harmful answer (rewrite = response A, preferred; original = response B).</summary>
    public Guid? ItemId { get; set; }

    /// <summary>The admin sent the pair to humans to verify.</summary>
    public DateTime? SentToHumansAt { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class RedTeamRunConfiguration : IEntityTypeConfiguration<RedTeamRun>
{
    public void Configure(EntityTypeBuilder<RedTeamRun> b)
    {
        b.HasIndex(r => new { r.ProjectId, r.CreatedAt });
        b.Property(r => r.CategoriesJson).HasMaxLength(8000).IsRequired();
        b.Property(r => r.TopicsJson).HasMaxLength(20000).IsRequired();
        b.Property(r => r.EndpointsJson).HasMaxLength(20000).IsRequired();
        b.Property(r => r.AttackerPrompt).HasMaxLength(20000).IsRequired();
        b.Property(r => r.JudgePrompt).HasMaxLength(20000).IsRequired();
        b.Property(r => r.RewriterPrompt).HasMaxLength(20000).IsRequired();
        b.Property(r => r.UsageJson).HasMaxLength(4000).IsRequired();
        b.Property(r => r.Error).HasMaxLength(2000);
        b.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RedTeamAttackConfiguration : IEntityTypeConfiguration<RedTeamAttack>
{
    public void Configure(EntityTypeBuilder<RedTeamAttack> b)
    {
        b.HasIndex(a => new { a.RunId, a.Number }).IsUnique();
        b.Property(a => a.Category).HasMaxLength(200).IsRequired();
        b.Property(a => a.Topic).HasMaxLength(500).IsRequired();
        b.Property(a => a.Prompt).HasMaxLength(20000);
        b.Property(a => a.Answer).HasMaxLength(20000);
        b.Property(a => a.JudgedCategory).HasMaxLength(200);
        b.Property(a => a.JudgeReason).HasMaxLength(4000);
        b.Property(a => a.Rewrite).HasMaxLength(20000);
        b.Property(a => a.FailedRole).HasMaxLength(20);
        b.Property(a => a.Error).HasMaxLength(2000);
        b.HasOne<RedTeamRun>().WithMany().HasForeignKey(a => a.RunId).OnDelete(DeleteBehavior.Cascade);
        // No foreign key to the item: SQL Server refuses a second cascade path from the project (error 1785), and the
        // portal deletes no single item; a project's deletion removes the attacks through its runs.
        b.HasIndex(a => a.ItemId);
    }
}
