using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.App.Data;

/// <summary>
/// A project's LLM labeler: an OpenAI-compatible chat-completions endpoint, the model, the prompt template and how hard
/// to press the endpoint. One per project.
/// </summary>
/// <remarks>
/// The API key is write-only: stored encrypted with Data Protection (<see cref="ApiKeyProtected"/>), read back only by the
/// labeling job, never by a page or the API, which see only whether a key is set. Guards against a key leaking through a
/// screenshot, an API response or a database dump.
/// </remarks>
public sealed class LlmLabelerSettings : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>The endpoint's base, such as <c>https://api.example.com/v1</c>; the client posts to <c>{base}/chat/completions</c>.</summary>
    public string BaseUrl { get; set; } = "";

    public string Model { get; set; } = "";

    public string? ApiKeyProtected { get; set; }

    /// <summary>The prompt, with <c>{{conversation}}</c>, <c>{{response_a}}</c> and <c>{{response_b}}</c>.</summary>
    public string PromptTemplate { get; set; } = "";

    /// <summary>Starts at 1 and goes up by one on every change of the template; each label keeps the version that asked for it.</summary>
    public int PromptVersion { get; set; } = 1;

    public int MaxRequestsPerMinute { get; set; } = 60;

    /// <summary>How many times a request is retried after a 429, a 5xx or a timeout, with exponential backoff.</summary>
    public int MaxRetries { get; set; } = 3;

    public int TimeoutSeconds { get; set; } = 60;

    public double Temperature { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>An LLM answer that could not be read as a label (or a request that failed for good), kept for the admin instead of a guessed label.</summary>
public sealed class AiLabelError : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid ItemId { get; set; }
    public string Model { get; set; } = "";
    public int PromptVersion { get; set; }

    /// <summary>The answer as the model gave it (cut to 20,000 characters), or null when no answer came.</summary>
    public string? Answer { get; set; }

    public string Error { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

internal sealed class LlmLabelerSettingsConfiguration : IEntityTypeConfiguration<LlmLabelerSettings>
{
    public void Configure(EntityTypeBuilder<LlmLabelerSettings> b)
    {
        b.HasIndex(s => s.ProjectId).IsUnique();
        b.Property(s => s.BaseUrl).HasMaxLength(500).IsRequired();
        b.Property(s => s.Model).HasMaxLength(200).IsRequired();
        b.Property(s => s.ApiKeyProtected).HasMaxLength(4000);
        b.Property(s => s.PromptTemplate).HasMaxLength(20000).IsRequired();
        b.HasOne<Project>().WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AiLabelErrorConfiguration : IEntityTypeConfiguration<AiLabelError>
{
    public void Configure(EntityTypeBuilder<AiLabelError> b)
    {
        b.HasIndex(e => new { e.ProjectId, e.CreatedAt });
        b.Property(e => e.Model).HasMaxLength(200).IsRequired();
        b.Property(e => e.Answer).HasMaxLength(20000);
        b.Property(e => e.Error).HasMaxLength(2000).IsRequired();
        b.HasOne<Item>().WithMany().HasForeignKey(e => e.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}
