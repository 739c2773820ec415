namespace Portal.Core.Common;

/// <summary>Argument checks shared by the numeric code: each throws with the parameter's name.</summary>
public static class Guard
{
    public static void SameLength(int a, int b, string paramA, string paramB)
    {
        if (a != b)
        {
            throw new ArgumentException($"{paramA} has {a} elements but {paramB} has {b}; they must be the same length.", paramB);
        }
    }
}
