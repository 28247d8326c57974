namespace Engagement.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Where the repository's other programs were built, beside this test build: the one path rule for the silo and the
/// client samples, of this test build's configuration and target framework.
/// </summary>
public static class BuiltProgram
{
    /// <summary>
    /// <paramref name="projectDirectory"/>/bin/{Configuration}/{framework}/<paramref name="assembly"/>.dll, with
    /// <paramref name="projectDirectory"/> relative to the repository root (<c>silo/Engagement.Silo</c>,
    /// <c>client-samples/SupportConsole</c>). Throws <see cref="FileNotFoundException"/> saying to build it when it is missing.
    /// </summary>
    public static string Locate(string projectDirectory, string assembly)
    {
        // tests/Engagement.EndToEnd.Tests/bin/{Configuration}/net10.0 → {projectDirectory}/bin/{Configuration}/net10.0
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here)!);
        var root = Path.GetFullPath(Path.Combine(here, "..", "..", "..", "..", ".."));
        var dll = Path.Combine(root, projectDirectory, "bin", configuration, framework, assembly + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build {assembly} first: {dll} is missing");
    }
}
