namespace LayerSteer.Inference;

/// <summary>A task scheduler of concurrency 1 that runs every task on the thread that starts it. Work started under it (the
/// kernels' loops, see Tensors/Workers.cs) runs on that one thread: on a busy machine, hand-offs to pool threads that may be descheduled
/// cost a decode step more than they save.</summary>
public sealed class InlineTaskScheduler : TaskScheduler
{
    public static readonly InlineTaskScheduler Instance = new();

    public override int MaximumConcurrencyLevel => 1;

    protected override void QueueTask(Task task) => TryExecuteTask(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => [];
}
