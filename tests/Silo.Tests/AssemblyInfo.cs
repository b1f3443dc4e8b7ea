// Each test runs real silo processes; running them one at a time keeps timings (failure detection,
// graceful stop) independent of the other tests on a small machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
