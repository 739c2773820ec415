namespace Portal.TestSupport;

public static class TestPaths
{
    /// <summary>The checkout's root: the folder above the test assembly that holds Portal.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The build output of another project in the configuration these tests were built in (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string BuildOutput(string projectFolder, string assembly)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        return Path.Combine(RepositoryRoot, projectFolder, "bin", configuration, "net10.0", assembly);
    }
}
