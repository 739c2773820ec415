namespace Portal.Core.Pairs;

/// <summary>Which of a pair's two responses is preferred.</summary>
public enum Preference
{
    A,
    B,
}

public static class PreferenceExtensions
{
    public static Preference Flip(this Preference p) => p == Preference.A ? Preference.B : Preference.A;

    /// <summary>+1 for A, −1 for B: the sign a margin r(A) − r(B) has when it agrees with the preference.</summary>
    public static int Sign(this Preference p) => p == Preference.A ? 1 : -1;
}
