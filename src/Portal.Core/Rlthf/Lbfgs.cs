using System.Numerics.Tensors;

namespace Portal.Core.Rlthf;

/// <summary>
/// Limited-memory BFGS (Nocedal &amp; Wright, Numerical Optimization, algorithm 7.4) with a backtracking Armijo line search,
/// for smooth convex objectives. Deterministic: no randomness, and the same arithmetic in the same order every run.
/// </summary>
internal static class Lbfgs
{
    /// <summary>Computes the objective at <c>x</c> and writes its gradient into <c>gradient</c>.</summary>
    public delegate double Objective(ReadOnlySpan<float> x, Span<float> gradient);

    public sealed record Result(float[] X, double Value, int Iterations);

    /// <summary>Minimises <paramref name="objective"/> from x = 0.</summary>
    /// <param name="gradientTolerance">Stop when ‖g‖ ≤ tolerance · max(1, ‖x‖).</param>
    /// <param name="relativeTolerance">Stop when an iteration lowers the objective by less than this share of it.</param>
    public static Result Minimize(
        int dimension,
        Objective objective,
        int maxIterations,
        CancellationToken cancellationToken,
        IProgress<double>? progress = null,
        int history = 8,
        double gradientTolerance = 1e-6,
        double relativeTolerance = 1e-9)
    {
        var x = new float[dimension];
        var g = new float[dimension];
        var xNew = new float[dimension];
        var gNew = new float[dimension];
        var d = new float[dimension];
        var s = new float[history][];
        var y = new float[history][];
        var rho = new double[history];
        var alpha = new double[history];
        var stored = 0;
        var newest = -1;

        var f = objective(x, g);
        var iteration = 0;
        while (iteration < maxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var gNorm = TensorPrimitives.Norm<float>(g);
            if (gNorm <= gradientTolerance * Math.Max(1.0, TensorPrimitives.Norm<float>(x)))
            {
                break;
            }

            // Two-loop recursion: d = −H·g.
            g.CopyTo(d, 0);
            for (var k = 0; k < stored; k++)
            {
                var i = (newest - k + history) % history;
                alpha[i] = rho[i] * TensorPrimitives.Dot<float>(s[i], d);
                TensorPrimitives.MultiplyAdd(y[i], (float)-alpha[i], d, d);
            }
            if (stored > 0)
            {
                var gamma = TensorPrimitives.Dot<float>(s[newest], y[newest]) / TensorPrimitives.Dot<float>(y[newest], y[newest]);
                TensorPrimitives.Multiply(d, gamma, d);
            }
            for (var k = stored - 1; k >= 0; k--)
            {
                var i = (newest - k + history) % history;
                var beta = rho[i] * TensorPrimitives.Dot<float>(y[i], d);
                TensorPrimitives.MultiplyAdd(s[i], (float)(alpha[i] - beta), d, d);
            }
            TensorPrimitives.Negate(d, d);

            double slope = TensorPrimitives.Dot<float>(d, g);
            if (!(slope < 0))
            {
                // Not a descent direction (numerical trouble): forget the curvature pairs and go down the gradient.
                stored = 0;
                TensorPrimitives.Negate(g, d);
                slope = -(double)gNorm * gNorm;
            }

            var step = stored == 0 ? Math.Min(1.0, 1.0 / gNorm) : 1.0;
            double fNew;
            while (true)
            {
                TensorPrimitives.MultiplyAdd(d, (float)step, x, xNew);
                fNew = objective(xNew, gNew);
                if (fNew <= f + (1e-4 * step * slope))
                {
                    break;
                }
                step *= 0.5;
                if (step < 1e-12)
                {
                    return new Result(x, f, iteration);
                }
            }

            var slot = (newest + 1) % history;
            s[slot] ??= new float[dimension];
            y[slot] ??= new float[dimension];
            TensorPrimitives.Subtract(xNew, x, s[slot]);
            TensorPrimitives.Subtract(gNew, g, y[slot]);
            double sy = TensorPrimitives.Dot<float>(s[slot], y[slot]);
            if (sy > 1e-12)
            {
                rho[slot] = 1.0 / sy;
                newest = slot;
                stored = Math.Min(stored + 1, history);
            }
            else if (stored == history)
            {
                stored--; // The slot held the oldest pair, now overwritten.
            }

            (x, xNew) = (xNew, x);
            (g, gNew) = (gNew, g);
            var decrease = f - fNew;
            f = fNew;
            iteration++;
            progress?.Report((double)iteration / maxIterations);
            if (decrease <= relativeTolerance * Math.Max(1.0, Math.Abs(f)))
            {
                break;
            }
        }
        return new Result(x, f, iteration);
    }
}
