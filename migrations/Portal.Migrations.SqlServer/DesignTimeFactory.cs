using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Portal.App.Data;

namespace Portal.Migrations.SqlServer;

/// <summary>Lets <c>dotnet ef</c> build the model for SQL Server without a server (the connection is never opened).</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        new DatabaseOptions(DatabaseProvider.SqlServer, DatabaseOptions.SqlServerDesignTimeConnectionString).Configure(builder);
        return new PortalDbContext(builder.Options);
    }
}
