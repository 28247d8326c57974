using System.Reflection;

namespace Engagement.Grains.Tests.Infrastructure;

/// <summary>
/// A grain factory whose every grain answers every call with a faulted task of the exception given — how a grain call
/// fails when the callee's storage timed out (a <see cref="TaskCanceledException"/> nobody asked for) or the response
/// did not arrive (Orleans' <see cref="TimeoutException"/>). Counts the calls made.
/// </summary>
public class FailingGrains : DispatchProxy
{
    private Func<Exception> _fault = () => new InvalidOperationException("no fault set");
    private int _calls;

    /// <summary>Grain calls made through grains of this factory so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>A factory whose grain calls fail with what <paramref name="fault"/> makes.</summary>
    public static (IGrainFactory Grains, FailingGrains Counter) Create(Func<Exception> fault)
    {
        var grains = Create<IGrainFactory, FailingGrains>();
        var self = (FailingGrains)(object)grains;
        self._fault = fault;
        return (grains, self);
    }

    /// <summary>A storage timeout of the callee as the caller sees it.</summary>
    public static (IGrainFactory Grains, FailingGrains Counter) StorageTimeout() =>
        Create(() => new TaskCanceledException("test: the grain's storage call timed out"));

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name != nameof(IGrainFactory.GetGrain) || !targetMethod.ReturnType.IsInterface)
        {
            throw new NotSupportedException($"test double: {targetMethod.Name}");
        }

        var grain = (Grain)Create(targetMethod.ReturnType, typeof(Grain));
        grain.Owner = this;
        return grain;
    }

    private object Fail(Type returnType)
    {
        Interlocked.Increment(ref _calls);
        var exception = _fault();
        if (returnType == typeof(Task))
        {
            return Task.FromException(exception);
        }

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Task<>) || definition == typeof(ValueTask<>)))
        {
            var owner = definition == typeof(Task<>) ? typeof(Task) : typeof(ValueTask);
            var fromException = owner.GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethodDefinition)
                .MakeGenericMethod(returnType.GetGenericArguments()[0]);
            return fromException.Invoke(null, [exception])!;
        }

        throw new NotSupportedException($"test double: a grain method returning {returnType}");
    }

    /// <summary>One grain reference: every method fails.</summary>
    public class Grain : DispatchProxy
    {
        internal FailingGrains? Owner { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            return Owner!.Fail(targetMethod.ReturnType);
        }
    }
}
