namespace Engagement.Grains.Programme;

/// <summary>How the programme grains write state so memory is never ahead of storage.</summary>
internal static class StateWrites
{
    /// <summary>
    /// Writes <paramref name="next"/> as the state; if the write fails, puts <paramref name="before"/> back, asks for
    /// deactivation (<paramref name="deactivate"/>, so the next call reloads what storage holds) and rethrows.
    /// </summary>
    public static async Task WriteOrRestoreAsync<T>(this IPersistentState<T> state, T next, T before, Action deactivate)
    {
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = before;
            deactivate();
            throw;
        }
    }
}
