namespace Engagement.Azure.Tests.Hosting;

/// <summary>A grain that registers a reminder, so the silo's reminder service writes through the Azure table.</summary>
public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task<string> RegisterAsync(string name, TimeSpan period);

    Task<bool> UnregisterAsync(string name);
}

public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    public async Task<string> RegisterAsync(string name, TimeSpan period)
    {
        var reminder = await this.RegisterOrUpdateReminder(name, period, period);
        return reminder.ReminderName;
    }

    public async Task<bool> UnregisterAsync(string name)
    {
        if (await this.GetReminder(name) is not { } reminder)
        {
            return false;
        }

        await this.UnregisterReminder(reminder);
        return true;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}
