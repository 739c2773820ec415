using Portal.App.Data;
using Portal.Core.Aggregation;

namespace Portal.TestSupport;

public static class AnnotationBuilders
{
    /// <summary>A submitted assignment and its annotation of the item by the annotator, written directly (no engine).</summary>
    public static async Task<Annotation> AddTestAnnotationAsync(this TestDatabase db, Guid tenantId, Item item, Guid annotatorId,
        PreferenceChoice? choice = PreferenceChoice.A, Dictionary<string, int>? scores = null)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var now = DateTime.UtcNow;
        var assignment = new Assignment
        {
            ProjectId = item.ProjectId,
            ItemId = item.Id,
            AnnotatorId = annotatorId,
            Status = AssignmentStatus.Submitted,
            LeasedAt = now,
            LeaseExpiresAt = now.AddMinutes(30),
            ClosedAt = now,
        };
        var annotation = new Annotation
        {
            ProjectId = item.ProjectId,
            ItemId = item.Id,
            AssignmentId = assignment.Id,
            AnnotatorId = annotatorId,
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            Choice = choice,
            Scores = scores,
            CreatedAt = now,
        };
        ctx.Assignments.Add(assignment);
        ctx.Annotations.Add(annotation);
        await ctx.SaveChangesAsync();
        return annotation;
    }
}
