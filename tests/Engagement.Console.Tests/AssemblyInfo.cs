// Two test collections at a time (xUnit's default on a 2-core machine, written out so nobody raises it without
// measuring): the four host collections of the pinned instant (ConsoleHostCollections.cs) take turns two by two. With
// three at a time, CI of 2026-12-07 (17:45) kept both cores 100% busy through the lanes, the project took 806 s (741 and
// 939 s in the two CIs before it at two) and one campaign page's Create answered past its 60 s wait: a browser test
// waits on CPU there, not on the network, so a third host and Chromium only lengthen every test. The collections that
// move a host's clock (DisableParallelization) still run alone, after the rest.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
