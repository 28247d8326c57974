using System.Diagnostics.CodeAnalysis;

namespace Engagement.Azure.Tests.Infrastructure;

/// <summary>What a grain activation holds between storage calls: state, ETag and whether a record exists.</summary>
public sealed class TestGrainState<T>(T state) : IGrainState<T>
{
    [AllowNull]
    public T State { get; set; } = state;

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }
}
