using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;

namespace Portal.TestSupport;

/// <summary>
/// Checks on every test run, with no SQL Server engine, that the portal's LINQ queries translate for SQL Server: added to
/// the SQLite test databases (and the web app over them), it takes every query the services compile there (the real
/// queries, with the values a test gave them) and compiles it again against a SQL Server-configured
/// <see cref="PortalDbContext"/> whose connection is never opened. A query SQL Server cannot translate throws in the test
/// that ran it, naming the query.
/// </summary>
/// <remarks>
/// EF compiles a query shape once per process and caches it, so each shape is checked once, the first time any test runs
/// it. The SQL Server side goes as far as EF's compilation goes (translation to SQL Server's query tree and its
/// post-processing); the SQL text itself is printed from that tree when a query runs, which only a server can do.
/// </remarks>
public sealed class SqlServerTranslationCheck : IQueryExpressionInterceptor
{
    public static readonly SqlServerTranslationCheck Instance = new();

    private static readonly Lazy<DbContextOptions<PortalDbContext>> SqlServerOptions = new(() =>
    {
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        new DatabaseOptions(DatabaseProvider.SqlServer, DatabaseOptions.SqlServerDesignTimeConnectionString).Configure(builder);
        return builder.Options;
    });

    private int _checked;

    private SqlServerTranslationCheck()
    {
    }

    /// <summary>How many query shapes were compiled for SQL Server in this process.</summary>
    public int Checked => Volatile.Read(ref _checked);

    /// <summary>Adds the check to the portal's context in <paramref name="services"/> when the database is SQLite.</summary>
    public static IServiceCollection AddTo(IServiceCollection services, DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            services.ConfigureDbContext<PortalDbContext>(b => b.AddInterceptors(Instance));
        }

        return services;
    }

    public Expression QueryCompilationStarting(Expression queryExpression, QueryExpressionEventData eventData)
    {
        if (eventData.Context is PortalDbContext { } context && context.Database.IsSqlite())
        {
            CompileForSqlServer(queryExpression);
            Interlocked.Increment(ref _checked);
        }

        return queryExpression;
    }

    /// <summary>
    /// Compiles a query expression taken from another provider's context (parameters extracted, as EF hands it to
    /// compilation) for SQL Server. Throws <see cref="SqlServerTranslationException"/> when SQL Server cannot translate it.
    /// </summary>
    public static void CompileForSqlServer(Expression queryExpression)
    {
        using var sqlServer = new PortalDbContext(SqlServerOptions.Value);
        var rooted = new ReRoot(sqlServer.Model, sqlServer.GetService<IAdHocMapper>()).Visit(queryExpression);
        var result = rooted.Type.IsGenericType && typeof(IQueryable).IsAssignableFrom(rooted.Type)
            ? typeof(IEnumerable<>).MakeGenericType(rooted.Type.GetGenericArguments()[0])
            : rooted.Type;
        var database = sqlServer.GetService<IDatabase>();
        var compile = typeof(IDatabase).GetMethod(nameof(IDatabase.CompileQuery))!.MakeGenericMethod(result);
        try
        {
            compile.Invoke(database, [rooted, false]);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new SqlServerTranslationException(
                $"This query does not translate for SQL Server: {e.InnerException.Message}\nQuery: {queryExpression}", e.InnerException);
        }
    }

    /// <summary>
    /// Points the query's roots at the SQL Server model's entity types (the same CLR types and names); the row types of
    /// <c>Database.SqlQuery&lt;T&gt;</c>, which EF maps ad hoc when first used, are mapped the same way there.
    /// </summary>
    private sealed class ReRoot(IModel model, IAdHocMapper adHoc) : ExpressionVisitor
    {
        protected override Expression VisitExtension(Expression node)
        {
            if (node is EntityQueryRootExpression root)
            {
                var entityType = model.FindEntityType(root.EntityType.Name) ?? adHoc.GetOrAddEntityType(root.EntityType.ClrType);
                return root.UpdateEntityType(entityType);
            }

            return base.VisitExtension(node);
        }
    }
}

public sealed class SqlServerTranslationException(string message, Exception inner) : Exception(message, inner);
