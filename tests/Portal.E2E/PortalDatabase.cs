using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Portal.E2E;

/// <summary>An annotation as the test reads it back from the portal's SQLite file.</summary>
public sealed record StoredAnnotation(string? ScoresJson, int? Choice, int? Strength, bool LeftIsA, int TimeOnTaskMs, string IdempotencyKey);

/// <summary>
/// The running portal's SQLite file, read (and for test setup, written) straight with Microsoft.Data.Sqlite: what a
/// page shows is checked against what was stored.
/// </summary>
public sealed class PortalDatabase(string path)
{
    public async Task<IReadOnlyList<StoredAnnotation>> AnnotationsOfAsync(string email, string projectName)
    {
        await using var db = await OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = """
            SELECT a.Scores, a.Choice, a.Strength, a.LeftIsA, a.TimeOnTaskMs, a.IdempotencyKey
            FROM Annotations a
            JOIN AspNetUsers u ON u.Id = a.AnnotatorId
            JOIN Projects p ON p.Id = a.ProjectId
            WHERE u.NormalizedEmail = upper($email) AND p.Name = $project
            ORDER BY a.CreatedAt
            """;
        command.Parameters.AddWithValue("$email", email);
        command.Parameters.AddWithValue("$project", projectName);
        var list = new List<StoredAnnotation>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(new StoredAnnotation(
                reader.IsDBNull(0) ? null : reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetInt32(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.GetBoolean(3),
                reader.GetInt32(4),
                reader.GetString(5)));
        }

        return list;
    }

    /// <summary>
    /// The annotator's answers in the project as the task page counts them (its "N of M rated by you"): gold items and
    /// self-consistency repeats are not counted.
    /// </summary>
    public async Task<int> CountedAnnotationsOfAsync(string email, string projectName)
    {
        await using var db = await OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*)
            FROM Annotations a
            JOIN AspNetUsers u ON u.Id = a.AnnotatorId
            JOIN Projects p ON p.Id = a.ProjectId
            JOIN Items i ON i.Id = a.ItemId
            WHERE u.NormalizedEmail = upper($email) AND p.Name = $project AND i.IsGold = 0 AND a.RepeatOf IS NULL
            """;
        command.Parameters.AddWithValue("$email", email);
        command.Parameters.AddWithValue("$project", projectName);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>The annotator's skipped assignments in the project: the reason given and the content flags (1 unsafe, 2 broken, 4 wrong language).</summary>
    public async Task<IReadOnlyList<(string Reason, int Flags)>> SkipsOfAsync(string email, string projectName)
    {
        await using var db = await OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = """
            SELECT a.SkipReason, a.Flags
            FROM Assignments a
            JOIN AspNetUsers u ON u.Id = a.AnnotatorId
            JOIN Projects p ON p.Id = a.ProjectId
            WHERE u.NormalizedEmail = upper($email) AND p.Name = $project AND a.Status = 4
            """;
        command.Parameters.AddWithValue("$email", email);
        command.Parameters.AddWithValue("$project", projectName);
        var list = new List<(string, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add((reader.GetString(0), reader.GetInt32(1)));
        }

        return list;
    }

    /// <summary>The draft kept with the annotator's live lease in the project, or null.</summary>
    /// <summary>
    /// The live draft once <paramref name="holds"/> is true of it, read again until then (30 s at most): the page shows
    /// "Saved" for the last save it knows of, and a change still on its way from the browser is not in that one.
    /// </summary>
    public async Task<JsonElement> LiveDraftWhenAsync(string email, string projectName, Func<JsonElement, bool> holds)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        JsonElement draft = default;
        while (DateTime.UtcNow < until)
        {
            if (await LiveDraftOfAsync(email, projectName) is { } json)
            {
                draft = JsonDocument.Parse(json).RootElement.Clone();
                if (holds(draft))
                {
                    return draft;
                }
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"The draft never came to what the test waited for; last: {draft}");
    }

    public async Task<string?> LiveDraftOfAsync(string email, string projectName)
    {
        await using var db = await OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = """
            SELECT a.DraftJson
            FROM Assignments a
            JOIN AspNetUsers u ON u.Id = a.AnnotatorId
            JOIN Projects p ON p.Id = a.ProjectId
            WHERE u.NormalizedEmail = upper($email) AND p.Name = $project AND a.Status = 1
            """;
        command.Parameters.AddWithValue("$email", email);
        command.Parameters.AddWithValue("$project", projectName);
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>
    /// Adds an empty project with default settings to the demo organisation, as a project admin would (there is no
    /// page for it yet); returns the organisation's and the project's ids.
    /// </summary>
    /// <param name="settingsJson">The project's settings as stored (only what differs from the defaults); empty for the defaults.</param>
    public async Task<(string OrgId, string ProjectId)> CreateDemoProjectAsync(string name, int kind, int overlap = 1, string settingsJson = "")
    {
        await using var db = await OpenAsync();
        await using var find = db.CreateCommand();
        find.CommandText = "SELECT Id FROM Organisations WHERE Name = 'Demo Organisation'";
        var orgId = (string)(await find.ExecuteScalarAsync())!;
        var projectId = Guid.NewGuid().ToString().ToUpperInvariant();
        await using var insert = db.CreateCommand();
        insert.CommandText = """
            INSERT INTO Projects (Id, TenantId, Name, Description, Kind, Overlap, LeaseMinutes, Settings, CreatedAt)
            VALUES ($id, $tenant, $name, 'Made by a browser test.', $kind, $overlap, 30, $settings, $now)
            """;
        insert.Parameters.AddWithValue("$id", projectId);
        insert.Parameters.AddWithValue("$tenant", orgId);
        insert.Parameters.AddWithValue("$name", name);
        insert.Parameters.AddWithValue("$kind", kind);
        insert.Parameters.AddWithValue("$overlap", overlap);
        insert.Parameters.AddWithValue("$settings", settingsJson);
        insert.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
        await insert.ExecuteNonQueryAsync();
        return (orgId.ToLowerInvariant(), projectId.ToLowerInvariant());
    }

    /// <summary>Adds an item to a project made by <see cref="CreateDemoProjectAsync"/>; a gold answer makes it a gold item.</summary>
    public async Task AddItemAsync(string projectId, string prompt, string responseA, string? responseB, string? goldJson = null)
    {
        await using var db = await OpenAsync();
        await using var insert = db.CreateCommand();
        insert.CommandText = """
            INSERT INTO Items (Id, TenantId, ProjectId, ConversationJson, ResponseA, ResponseB, Priority, Claimed, IsGold, Gold, CreatedAt)
            SELECT $id, p.TenantId, p.Id, $conversation, $a, $b, 0, 0, $isGold, $gold, $now FROM Projects p WHERE p.Id = $project
            """;
        insert.Parameters.AddWithValue("$id", Guid.NewGuid().ToString().ToUpperInvariant());
        insert.Parameters.AddWithValue("$project", projectId.ToUpperInvariant());
        insert.Parameters.AddWithValue("$conversation", System.Text.Json.JsonSerializer.Serialize(new[] { new { role = "user", content = prompt } }));
        insert.Parameters.AddWithValue("$a", responseA);
        insert.Parameters.AddWithValue("$b", (object?)responseB ?? DBNull.Value);
        insert.Parameters.AddWithValue("$isGold", goldJson is not null);
        insert.Parameters.AddWithValue("$gold", (object?)goldJson ?? DBNull.Value);
        insert.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
        Assert.Equal(1, await insert.ExecuteNonQueryAsync());
    }

    /// <summary>Pauses the annotator in the project, as the gold check or an admin would.</summary>
    public async Task PauseAsync(string email, string projectName, string reason)
    {
        await using var db = await OpenAsync();
        await using var update = db.CreateCommand();
        update.CommandText = """
            UPDATE ProjectAnnotators SET PausedAt = $now, PauseReason = $reason
            WHERE AnnotatorId = (SELECT Id FROM AspNetUsers WHERE NormalizedEmail = upper($email))
              AND ProjectId = (SELECT Id FROM Projects WHERE Name = $project)
            """;
        update.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
        update.Parameters.AddWithValue("$reason", reason);
        update.Parameters.AddWithValue("$email", email);
        update.Parameters.AddWithValue("$project", projectName);
        Assert.Equal(1, await update.ExecuteNonQueryAsync());
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
        await db.OpenAsync();
        return db;
    }
}
