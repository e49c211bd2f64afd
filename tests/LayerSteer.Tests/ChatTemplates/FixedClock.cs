namespace LayerSteer.Tests.ChatTemplates;

/// <summary>A clock stopped at one UTC instant, with UTC as local time (strftime_now reads local time).</summary>
sealed class FixedClock(DateTimeOffset utc) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => utc;
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
