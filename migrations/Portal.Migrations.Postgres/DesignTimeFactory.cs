using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Portal.App.Data;

namespace Portal.Migrations.Postgres;

/// <summary>Lets <c>dotnet ef</c> build the model for PostgreSQL without a server.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        new DatabaseOptions(DatabaseProvider.Postgres, "Host=127.0.0.1;Database=design_time").Configure(builder);
        return new PortalDbContext(builder.Options);
    }
}
