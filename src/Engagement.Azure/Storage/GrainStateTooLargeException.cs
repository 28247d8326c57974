using System.Globalization;
using Engagement.Domain.Members;

namespace Engagement.Azure.Storage;

/// <summary>
/// A grain state was refused before it was written, because its stored JSON is longer than
/// <see cref="Hosting.EngagementStorageOptions.MaxGrainStateBytes"/> (UTF-16 characters as stored, what the provider's row
/// limits; the message says "stored characters") or over the provider's 983,040 UTF-8 bytes (the message says "UTF-8 bytes"). Nothing was written: storage still holds the
/// previous version, and the activation must not adopt the state it tried to write.
/// </summary>
/// <remarks>
/// The official Azure table provider stores string state in at most 15 properties of 32K characters and drops
/// whatever does not fit without an error; this exception is the engine's guard in front of that. It crosses silos
/// (a member on another silo than the pulling agent) by its own codec: the base exception's message, stack trace and
/// inner exception, then both sizes, under a stable alias rather than its type name.
/// </remarks>
[GenerateSerializer, Alias("engagement.grain-state-too-large.v1")]
public sealed class GrainStateTooLargeException : InvalidOperationException
{
    /// <summary>
    /// Creates the exception for a state of <paramref name="actualBytes"/>: stored characters of JSON over the bound, or,
    /// when <paramref name="limitBytes"/> is the provider's <see cref="StoredStateText.ProviderByteCapacity"/>
    /// (<see cref="CountsUtf8Bytes"/>), UTF-8 bytes over the provider's byte cap. The message names the unit.
    /// </summary>
    /// <param name="actualBytes">Size of the serialized state, in the bound's unit (stored characters, or UTF-8 bytes).</param>
    /// <param name="limitBytes">The bound it broke.</param>
    /// <param name="what">What was being written (state name and grain id, or the state's type).</param>
    public GrainStateTooLargeException(long actualBytes, long limitBytes, string what)
        : base(limitBytes == StoredStateText.ProviderByteCapacity
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"Refused to write {what}: its JSON is {actualBytes:N0} UTF-8 bytes, over the {limitBytes:N0} the table provider " +
                $"accepts. Nothing was written; the stored state is unchanged.")
            : string.Create(
                CultureInfo.InvariantCulture,
                $"Refused to write {what}: its JSON is {actualBytes:N0} stored characters, over the bound of {limitBytes:N0} " +
                $"characters (Engagement:Storage:MaxGrainStateBytes). Nothing was written; the stored state is unchanged."))
    {
        ActualBytes = actualBytes;
        LimitBytes = limitBytes;
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public GrainStateTooLargeException()
    {
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public GrainStateTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public GrainStateTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Size of the refused state's JSON as the bound counts it: stored (UTF-16) characters, or UTF-8 bytes when
    /// <see cref="CountsUtf8Bytes"/>. The name keeps "Bytes" for the wire format (field ids 0 and 1).
    /// </summary>
    [Id(0)]
    public long ActualBytes { get; }

    /// <summary>The bound it broke, in the same unit as <see cref="ActualBytes"/>.</summary>
    [Id(1)]
    public long LimitBytes { get; }

    /// <summary>
    /// True when the state broke the provider's cap of <see cref="StoredStateText.ProviderByteCapacity"/> UTF-8 bytes
    /// (<see cref="ActualBytes"/> and <see cref="LimitBytes"/> are then UTF-8 bytes); false when it broke the configured
    /// bound, counted in stored characters (which is never above 491,520, so the two cannot be confused).
    /// </summary>
    public bool CountsUtf8Bytes => LimitBytes == StoredStateText.ProviderByteCapacity;
}
