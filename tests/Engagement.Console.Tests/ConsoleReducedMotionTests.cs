using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// The console honours the viewer's "reduce motion" setting (App.razor; WCAG 2.1, 2.3.3): with it, an animation shows
/// its end at once and stops, a transition is instant; without it, both run as written. The browser contexts of these
/// tests ask for reduced motion (<see cref="ConsoleHostFixture.NewPageAsync"/>).
/// </summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleReducedMotionTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    // An element of the page's own that spins for ever and fades in over 2 s, as MudBlazor's indeterminate progress
    // indicators and popovers do; returns its computed animation and transition.
    private const string AddSpinner = """
        () => {
            const style = document.createElement('style');
            style.textContent = '@keyframes rm-spin { from { transform: rotate(0deg) } to { transform: rotate(360deg) } }';
            document.head.appendChild(style);
            const spinner = document.createElement('div');
            spinner.id = 'rm-spinner';
            spinner.style.cssText = 'width: 20px; height: 20px; animation: rm-spin 1.4s linear infinite; transition: opacity 2s;';
            document.body.appendChild(spinner);
            return 'added';
        }
        """;

    private const string Motion = """
        () => {
            const s = getComputedStyle(document.getElementById('rm-spinner'));
            return [s.animationIterationCount, s.transitionDuration];
        }
        """;

    [Fact]
    public async Task AViewerWhoAsksForReducedMotionGetsNoEndlessAnimationOrTransition()
    {
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console");
        Assert.True(await page.EvaluateAsync<bool>("() => matchMedia('(prefers-reduced-motion: reduce)').matches"));
        Assert.Equal("added", await page.EvaluateAsync<string>(AddSpinner));

        Assert.Equal(["1", "0s"], await page.EvaluateAsync<string[]>(Motion));

        // A viewer without the setting sees the page's motion as written.
        await page.EmulateMediaAsync(new() { ReducedMotion = ReducedMotion.NoPreference });
        Assert.Equal(["infinite", "2s"], await page.EvaluateAsync<string[]>(Motion));
    }
}
