using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Cli.Commands;

/// <summary>
/// Counts the database round trips a <see cref="Portal.App.Data.PortalDbContext"/> makes: every command EF runs
/// (queries, <c>ExecuteUpdate</c>, <c>SaveChanges</c> batches, raw SQL) and every commit or rollback. A transaction's
/// begin is counted too, except on PostgreSQL, where Npgsql sends <c>BEGIN</c> together with the next command.
/// </summary>
public sealed class RoundTripCounter(bool beginIsSeparate)
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor[] Interceptors => [new Commands(this), new Transactions(this)];

    private void Add() => Interlocked.Increment(ref _count);

    private sealed class Commands(RoundTripCounter counter) : DbCommandInterceptor
    {
        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            counter.Add();
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            counter.Add();
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            counter.Add();
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            counter.Add();
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            counter.Add();
            return result;
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            counter.Add();
            return ValueTask.FromResult(result);
        }
    }

    private sealed class Transactions(RoundTripCounter counter) : DbTransactionInterceptor
    {
        public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
        {
            Begun();
            return result;
        }

        public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
            CancellationToken cancellationToken = default)
        {
            Begun();
            return ValueTask.FromResult(result);
        }

        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => counter.Add();

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            counter.Add();
            return Task.CompletedTask;
        }

        public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => counter.Add();

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            counter.Add();
            return Task.CompletedTask;
        }

        private void Begun()
        {
            if (counter._beginIsSeparate)
            {
                counter.Add();
            }
        }
    }

    private readonly bool _beginIsSeparate = beginIsSeparate;
}
