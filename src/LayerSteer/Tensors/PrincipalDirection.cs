using System.Numerics.Tensors;

namespace LayerSteer.Tensors;

/// <summary>The mean and first principal direction of a few rows (N ≪ width), in double.</summary>
public sealed record PrincipalDirection(double[] Mean, double[] Direction, double VarianceShare)
{
    /// <summary>PCA of <paramref name="rows"/> [N][P]: the mean, the unit direction of largest variance of the centred rows
    /// (zeros when they have none), and that direction's share of the total variance. Sign as sklearn's svd_flip: the row
    /// scoring farthest from 0 along it scores positive.</summary>
    public static PrincipalDirection Fit(IReadOnlyList<double[]> rows)
    {
        if (rows.Count == 0) throw new LayerSteerException("PCA needs at least one row");
        int n = rows.Count, p = rows[0].Length;
        var mean = new double[p];
        foreach (var r in rows) for (int j = 0; j < p; j++) mean[j] += r[j] / n;
        var z = rows.Select(r => r.Select((v, j) => v - mean[j]).ToArray()).ToArray();
        // The N×N Gram matrix Z·Zᵀ has Z's squared singular values as eigenvalues; its eigenvectors are Z's left singular
        // vectors u, and Zᵀu/‖Zᵀu‖ is the principal direction: an N×N eigenproblem instead of a P×P one.
        var g = new double[n, n];
        for (int a = 0; a < n; a++)
            for (int b = a; b < n; b++) g[a, b] = g[b, a] = TensorPrimitives.Dot<double>(z[a], z[b]);
        double trace = Enumerable.Range(0, n).Sum(i => g[i, i]);
        var (values, vectors) = Jacobi(g);
        int top = Enumerable.Range(0, n).MaxBy(i => values[i]);
        var u = Enumerable.Range(0, n).Select(i => vectors[i, top]).ToArray();
        int far = Enumerable.Range(0, n).MaxBy(i => Math.Abs(u[i]));   // first of ties, as torch.argmax
        if (u[far] < 0) for (int i = 0; i < n; i++) u[i] = -u[i];
        var dir = new double[p];
        for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) dir[j] += u[i] * z[i][j];
        double norm = TensorPrimitives.Norm<double>(dir);
        if (trace <= 0 || norm == 0) return new PrincipalDirection(mean, new double[p], 0);
        for (int j = 0; j < p; j++) dir[j] /= norm;
        return new PrincipalDirection(mean, dir, values[top] / trace);
    }

    /// <summary>Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations.</summary>
    static (double[] Values, double[,] Vectors) Jacobi(double[,] m)
    {
        int n = m.GetLength(0);
        var a = (double[,])m.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, all = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) { all += a[i, j] * a[i, j]; if (i != j) off += a[i, j] * a[i, j]; }
            if (off <= 1e-30 * all) break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (a[p, q] == 0) continue;
                    // The rotation by θ in the (p, q) plane that zeroes a[p, q] (Numerical Recipes' stable form).
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq; a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk; a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq; v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        return (Enumerable.Range(0, n).Select(i => a[i, i]).ToArray(), v);
    }
}
