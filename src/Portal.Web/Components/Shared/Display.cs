using System.Globalization;

namespace Portal.Web.Components.Shared;

/// <summary>How the pages write numbers that may be undefined.</summary>
internal static class Display
{
    /// <summary>"83%" for a share of 0.83, "—" when there is none.</summary>
    public static string Percent(double? share) => share is { } s ? (s * 100).ToString("0", CultureInfo.InvariantCulture) + "%" : "—";
}
