using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.App.Features.Annotations;

/// <summary>
/// The engine's hot reads as compiled queries (<see cref="EF.CompileAsyncQuery{TContext, TParam1, TParam2, TResult}(System.Linq.Expressions.Expression{Func{TContext, TParam1, TParam2, CancellationToken, TResult}})"/>):
/// EF translates each once per model instead of looking the LINQ tree up in its query cache on every call (hashing and
/// comparing a tree of this size costs more client CPU than running it). The tenant filter still applies: it reads the
/// context's tenant when the query runs. A compiled query is bound to the first model it runs on and refuses any other, so
/// there is one set per model (a process that talks to SQLite and PostgreSQL, like the test suite, has two).
/// </summary>
public sealed partial class TaskService
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Microsoft.EntityFrameworkCore.Metadata.IModel, CompiledReads> Reads = new();

    private static CompiledReads ReadsFor(PortalDbContext db) => Reads.GetValue(db.Model, static _ => new CompiledReads());

    private sealed class CompiledReads
    {
        /// <summary>The project, the annotator's standing in it, what the guideline gates need, and whether they hold a lease.</summary>
        public Func<PortalDbContext, Guid, Guid, CancellationToken, Task<NextHead?>> Head { get; } =
            EF.CompileAsyncQuery((PortalDbContext db, Guid projectId, Guid annotatorId, CancellationToken ct) => (
                    from p in db.Projects.AsNoTracking()
                    where p.Id == projectId
                    join mine in db.ProjectAnnotators.AsNoTracking().Where(s => s.AnnotatorId == annotatorId) on p.Id equals mine.ProjectId into standings
                    from s in standings.DefaultIfEmpty()
                    select new NextHead
                    {
                        Project = p,
                        Standing = s,
                        Guidelines = db.GuidelineVersions.Where(v => v.ProjectId == projectId).Max(v => (int?)v.Version),
                        Acknowledged = db.GuidelineAcknowledgements.Where(a => a.ProjectId == projectId && a.AnnotatorId == annotatorId).Max(a => (int?)a.Version),
                        HasTest = db.QualificationTests.Any(t => t.ProjectId == projectId),
                        Held = db.Assignments.Any(a => a.ProjectId == projectId && a.AnnotatorId == annotatorId && a.Status == AssignmentStatus.Leased),
                    })
                .FirstOrDefault());

        /// <summary>The assignment, its project and item, and the guideline and attribute versions an answer to it is recorded under.</summary>
        public Func<PortalDbContext, Guid, Guid, CancellationToken, Task<SubmitRow?>> Submit { get; } =
            EF.CompileAsyncQuery((PortalDbContext db, Guid assignmentId, Guid annotatorId, CancellationToken ct) => (
                    from a in db.Assignments.AsNoTracking()
                    where a.Id == assignmentId && a.AnnotatorId == annotatorId
                    join p in db.Projects.AsNoTracking() on a.ProjectId equals p.Id
                    join i in db.Items.AsNoTracking() on a.ItemId equals i.Id
                    select new SubmitRow
                    {
                        Assignment = a,
                        Project = p,
                        Item = i,
                        Guidelines = db.GuidelineAcknowledgements.Where(g => g.ProjectId == a.ProjectId && g.AnnotatorId == annotatorId).Max(g => (int?)g.Version)
                            ?? db.GuidelineVersions.Where(v => v.ProjectId == a.ProjectId).Max(v => (int?)v.Version),
                        Attributes = db.AttributeSetVersions.Where(v => v.ProjectId == a.ProjectId).Max(v => (int?)v.Version) ?? 1,
                    })
                .FirstOrDefault());
    }

    private sealed class NextHead
    {
        public required Project Project { get; init; }

        public ProjectAnnotator? Standing { get; init; }

        public int? Guidelines { get; init; }

        public int? Acknowledged { get; init; }

        public bool HasTest { get; init; }

        public bool Held { get; init; }
    }

    private sealed class SubmitRow
    {
        public required Assignment Assignment { get; init; }

        public required Project Project { get; init; }

        public required Item Item { get; init; }

        public int? Guidelines { get; init; }

        public int Attributes { get; init; }
    }
}
