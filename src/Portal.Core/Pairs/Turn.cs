namespace Portal.Core.Pairs;

/// <summary>One message of a conversation: <see cref="Role"/> is <c>user</c>, <c>assistant</c> or <c>system</c> (or whatever a file says).</summary>
public sealed record Turn(string Role, string Content)
{
    public const string User = "user";
    public const string Assistant = "assistant";
}
