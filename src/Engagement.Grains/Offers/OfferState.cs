namespace Engagement.Grains.Offers;

/// <summary>
/// The persisted holder of one offer grain's domain value (immutable: a write that fails leaves the previous value
/// in place, see <see cref="OfferStateExtensions.SaveAsync"/>).
/// </summary>
/// <typeparam name="T">A domain value such as <c>RewardStock</c> or <c>CouponBook</c>.</typeparam>
public sealed class OfferState<T>
    where T : class, new()
{
    public T Value { get; set; } = new();
}

/// <summary>Writes that never leave memory ahead of storage.</summary>
public static class OfferStateExtensions
{
    /// <summary>
    /// Adopts <paramref name="next"/> and writes it. When the write fails the previous value is put back, the activation
    /// is deactivated (it reloads what storage holds: a write the server did apply is not lost), and the error is rethrown.
    /// </summary>
    public static async Task SaveAsync<T>(this IPersistentState<OfferState<T>> state, T next, Grain grain)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(grain);
        var previous = state.State.Value;
        state.State.Value = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Value = previous;
            grain.DeactivateOnIdle();
            throw;
        }
    }
}
