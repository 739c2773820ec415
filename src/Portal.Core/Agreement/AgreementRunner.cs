namespace Portal.Core.Agreement;

/// <summary>Computes one requested coefficient with the counts and explanations the CLI and the portal show.</summary>
public static class AgreementRunner
{
    /// <summary>Computes <paramref name="request"/>'s coefficient over <paramref name="table"/>.</summary>
    /// <returns>The result; its value is null, with a reason, when the coefficient is undefined for these data.</returns>
    /// <exception cref="AgreementInputException">
    /// An option does not apply to the metric, the data do not fit it (cohen without exactly two raters, fleiss with units
    /// of different sizes, ratio with a negative value, a value outside the given categories), or no unit can be paired.
    /// </exception>
    public static AgreementResult Compute(RatingTable table, AgreementRequest request)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(request);
        var metric = request.Metric;
        var name = AgreementRequest.NameOf(metric);
        RequireOptionsApply(request, name);

        if (metric == AgreementMetric.Cohen)
        {
            var raters = CountRaters(table);
            if (raters != 2)
            {
                throw new AgreementInputException($"cohen requires exactly two raters but {raters} are present.");
            }
        }

        var (units, ratersUsed, ratings) = CountPairable(table);
        if (units == 0)
        {
            throw new AgreementInputException(metric == AgreementMetric.Cohen
                ? "no pairable unit: no unit is rated by both raters."
                : "no pairable unit: no unit has ratings from two or more raters.");
        }

        var level = request.Level ?? MeasurementLevel.Nominal;
        var weights = request.Weights ?? KappaWeights.None;
        var categories = request.Categories is null ? [] : request.Categories.ToArray();
        double value;
        try
        {
            value = metric switch
            {
                AgreementMetric.Krippendorff => AgreementMetrics.KrippendorffAlpha(table, level),
                AgreementMetric.Fleiss => AgreementMetrics.FleissKappa(table),
                AgreementMetric.Cohen => AgreementMetrics.CohenKappa(table, weights, categories),
                AgreementMetric.Percent => AgreementMetrics.PercentAgreement(table),
                AgreementMetric.Gwet => AgreementMetrics.GwetAc1(table, categories),
                _ => throw new ArgumentOutOfRangeException(nameof(request), metric, "Unknown metric."),
            };
        }
        catch (ArgumentException ex) when (ex is not ArgumentOutOfRangeException)
        {
            // The metrics reject data that do not fit them with a message naming the unit, rater or value.
            throw new AgreementInputException(WithoutParameterName(ex.Message), ex);
        }

        return new AgreementResult(
            name,
            double.IsNaN(value) ? null : value,
            units,
            ratersUsed,
            ratings,
            metric == AgreementMetric.Krippendorff ? AgreementRequest.NameOf(level) : null,
            metric == AgreementMetric.Cohen ? AgreementRequest.NameOf(weights) : null,
            double.IsNaN(value) ? UndefinedReason(metric) : null);
    }

    private static void RequireOptionsApply(AgreementRequest request, string name)
    {
        if (request.Level is not null && request.Metric != AgreementMetric.Krippendorff)
        {
            throw new AgreementInputException($"level applies only to krippendorff, not to {name}.");
        }

        if (request.Weights is not null && request.Metric != AgreementMetric.Cohen)
        {
            throw new AgreementInputException($"weights apply only to cohen, not to {name}.");
        }

        if (request.Categories is not null && request.Metric is not (AgreementMetric.Cohen or AgreementMetric.Gwet))
        {
            throw new AgreementInputException($"categories apply only to cohen and gwet, not to {name}.");
        }
    }

    private static string UndefinedReason(AgreementMetric metric) => metric switch
    {
        AgreementMetric.Krippendorff => "expected disagreement is 0: every pairable rating has the same value, so alpha is undefined.",
        AgreementMetric.Fleiss => "chance agreement is 1: every rating is in the same category, so kappa is undefined.",
        AgreementMetric.Cohen => "expected disagreement is 0: both raters gave every unit the same category, so kappa is undefined.",
        AgreementMetric.Gwet => "only one category is present, so AC1 is undefined; list the categories to compute it.",
        _ => "the coefficient is undefined for these ratings.",
    };

    private static int CountRaters(RatingTable table)
    {
        var seen = new bool[table.RaterCount];
        var count = 0;
        foreach (var rater in table.Raters)
        {
            if (!seen[rater])
            {
                seen[rater] = true;
                count++;
            }
        }

        return count;
    }

    /// <summary>Units with two or more ratings, the raters who rated any of them, and their ratings.</summary>
    private static (int Units, int Raters, int Ratings) CountPairable(RatingTable table)
    {
        var seen = new bool[table.RaterCount];
        var starts = table.UnitStarts;
        var raters = table.Raters;
        int units = 0, raterCount = 0, ratings = 0;
        for (var u = 0; u < table.UnitCount; u++)
        {
            int start = starts[u], end = starts[u + 1];
            if (end - start < 2)
            {
                continue;
            }

            units++;
            ratings += end - start;
            for (var p = start; p < end; p++)
            {
                if (!seen[raters[p]])
                {
                    seen[raters[p]] = true;
                    raterCount++;
                }
            }
        }

        return (units, raterCount, ratings);
    }

    // ArgumentException appends " (Parameter 'name')" to its message; the person reading it gave no parameter.
    private static string WithoutParameterName(string message)
    {
        var parameter = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return parameter < 0 ? message : message[..parameter];
    }
}
