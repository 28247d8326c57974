using System.Globalization;

namespace Engagement.Domain.Points;

/// <summary>
/// The late event that changed what earlier-applied orders earn, named in each <c>points.earn.correction</c> entry:
/// "late event e-1, purchase O-1 of 1000.00 CNY that occurred 2026-…". The text is built only when a correction is
/// written (most events correct nothing), not for every event.
/// </summary>
/// <param name="EventId">The late event's id.</param>
/// <param name="What">What it was, as its own ledger entries say ("purchase O-1 of 1000.00 CNY", "share").</param>
/// <param name="OccurredAt">Its occurredAt.</param>
public readonly record struct CorrectionCause(string EventId, string What, DateTimeOffset OccurredAt) : ISpanFormattable
{
    /// <summary>The sentence a correction's reason ends with.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{this}");

    /// <summary>The sentence of <see cref="ToString()"/>, whatever the format and provider.</summary>
    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>
    /// Writes the sentence of <see cref="ToString()"/> into <paramref name="destination"/> (the format and provider are
    /// ignored): a correction's reason that ends with it makes one string, not one more for the sentence.
    /// </summary>
    bool ISpanFormattable.TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite(CultureInfo.InvariantCulture, $"late event {EventId}, {What} that occurred {OccurredAt:yyyy-MM-dd'T'HH:mm:ssK}", out charsWritten);
}
