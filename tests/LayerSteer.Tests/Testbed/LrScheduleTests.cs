using LayerSteer.Training;

namespace LayerSteer.Tests.Testbed;

public class LrScheduleTests
{
    [Fact]
    public void WarmsUpLinearlyThenDecaysByCosineToTheFloor()
    {
        var s = new LrSchedule(1f, WarmupSteps: 4, TotalSteps: 15, MinFraction: 0.1f);
        Assert.Equal([0.25f, 0.5f, 0.75f, 1f], Enumerable.Range(0, 4).Select(s.At));
        Assert.Equal(1f, s.At(4), 6);
        Assert.Equal(0.1f + 0.9f * 0.5f, s.At(9), 6);      // half-way through the decay: cos = 0
        Assert.Equal(0.1f, s.At(14), 6);                    // the last step
        for (int t = 4; t < 14; t++) Assert.True(s.At(t + 1) < s.At(t));
    }
}
