using Microsoft.Data.SqlClient;

namespace Portal.App.Data;

/// <summary>Creates and drops whole databases on a SQL Server (the tests' and benchmarks' scratch databases).</summary>
public static class SqlServerDatabases
{
    /// <summary>The server's connection string pointed at <paramref name="name"/>.</summary>
    public static string For(string server, string name) =>
        new SqlConnectionStringBuilder(server) { InitialCatalog = name }.ConnectionString;

    public static async Task CreateAsync(string server, string name, CancellationToken ct = default)
    {
        await using var admin = await OpenMasterAsync(server, ct);
        // Identifiers cannot be parameters: the server quotes the name (QUOTENAME) into the statement it runs.
        await using var create = new SqlCommand("DECLARE @sql nvarchar(max) = N'CREATE DATABASE ' + QUOTENAME(@name); EXEC sp_executesql @sql;", admin);
        create.Parameters.AddWithValue("@name", Plain(name));
        await create.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Drops the database, closing the connections still open on it first.</summary>
    public static async Task DropAsync(string server, string name, CancellationToken ct = default)
    {
        SqlConnection.ClearAllPools();
        await using var admin = await OpenMasterAsync(server, ct);
        await using var drop = new SqlCommand("""
            IF DB_ID(@name) IS NOT NULL
            BEGIN
                DECLARE @sql nvarchar(max) = N'ALTER DATABASE ' + QUOTENAME(@name) + N' SET SINGLE_USER WITH ROLLBACK IMMEDIATE; '
                    + N'DROP DATABASE ' + QUOTENAME(@name) + N';';
                EXEC sp_executesql @sql;
            END
            """, admin);
        drop.Parameters.AddWithValue("@name", Plain(name));
        await drop.ExecuteNonQueryAsync(ct);
    }

    private static async Task<SqlConnection> OpenMasterAsync(string server, CancellationToken ct)
    {
        var admin = new SqlConnection(new SqlConnectionStringBuilder(server) { InitialCatalog = "master", Pooling = false }.ConnectionString);
        await admin.OpenAsync(ct);
        return admin;
    }

    private static string Plain(string name) =>
        name.Length is > 0 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? name
            : throw new ArgumentException($"'{name}' is not a plain database name (letters, digits, _).", nameof(name));
}
