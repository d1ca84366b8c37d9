using System.Runtime.InteropServices;

namespace Riposte.Execution;

/// <summary>
/// One background thread that waits with poll(2) for readiness of the non-blocking pipe ends and pidfds of every
/// running program, so that no thread-pool thread ever blocks in read/write/waitpid. .NET's own anonymous pipe
/// streams cannot be used for this: on Unix their async reads are synchronous reads queued to the thread pool, and
/// fifty running programs would then pin a hundred pool threads (and starve it). A blocking read on a dedicated
/// thread would not do either: a grandchild that escaped the process group can hold a pipe open forever.
/// </summary>
internal sealed class PollReactor
{
    private static readonly Lazy<PollReactor> s_shared = new(() => new PollReactor(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Lock _gate = new();
    private readonly HashSet<Waiter> _waiters = [];
    private readonly int _wakeFd;

    private PollReactor()
    {
        _wakeFd = LibC.EventFd(0, LibC.O_CLOEXEC | LibC.O_NONBLOCK);
        if (_wakeFd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"eventfd failed: {LibC.StrError(errno)} ({errno})");
        }

        var thread = new Thread(Run) { IsBackground = true, Name = "riposte-poll" };
        thread.Start();
    }

    /// <summary>The process-wide reactor, started on first use.</summary>
    public static PollReactor Shared => s_shared.Value;

    /// <summary>
    /// Completes with poll's <c>revents</c> once <paramref name="fd"/> is ready for <paramref name="events"/> (or has
    /// an error or hang-up), or with <see cref="LibC.POLLNVAL"/> when <see cref="Abandon"/> is called for it.
    /// The caller must keep the descriptor open (hold a handle reference) until this completes.
    /// </summary>
    public async ValueTask<short> WaitAsync(int fd, short events, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var waiter = new Waiter(this, fd, events);
        lock (_gate)
        {
            _waiters.Add(waiter);
        }

        Wake();
        using (cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Owner.Cancel((Waiter)state!, token), waiter))
        {
            return await waiter.Completion.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Completes every wait on <paramref name="fd"/> with <see cref="LibC.POLLNVAL"/> (the descriptor is being closed).</summary>
    public void Abandon(int fd)
    {
        List<Waiter>? abandoned = null;
        lock (_gate)
        {
            foreach (var waiter in _waiters)
            {
                if (waiter.Fd == fd)
                {
                    (abandoned ??= []).Add(waiter);
                }
            }

            if (abandoned is not null)
            {
                foreach (var waiter in abandoned)
                {
                    _waiters.Remove(waiter);
                }
            }
        }

        if (abandoned is not null)
        {
            // Wake first so the poll thread drops its reference to the file before the caller closes it: a pipe
            // end that poll still holds keeps the other side from seeing EOF.
            Wake();
            foreach (var waiter in abandoned)
            {
                waiter.Completion.TrySetResult(LibC.POLLNVAL);
            }
        }
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        bool removed;
        lock (_gate)
        {
            removed = _waiters.Remove(waiter);
        }

        if (removed)
        {
            Wake();
            waiter.Completion.TrySetCanceled(token);
        }
    }

    private void Wake()
    {
        ulong one = 1;
        // EAGAIN means the counter is saturated, i.e. a wake-up is already pending.
        _ = LibC.WriteCounter(_wakeFd, ref one, sizeof(ulong));
    }

    private void Run()
    {
        var snapshot = new List<Waiter>();
        var fds = new LibC.PollFd[16];
        while (true)
        {
            snapshot.Clear();
            lock (_gate)
            {
                snapshot.AddRange(_waiters);
            }

            if (fds.Length < snapshot.Count + 1)
            {
                fds = new LibC.PollFd[Math.Max(snapshot.Count + 1, fds.Length * 2)];
            }

            fds[0] = new LibC.PollFd { Fd = _wakeFd, Events = LibC.POLLIN };
            for (var i = 0; i < snapshot.Count; i++)
            {
                fds[i + 1] = new LibC.PollFd { Fd = snapshot[i].Fd, Events = snapshot[i].Events };
            }

            var ready = LibC.Poll(fds, (nuint)(snapshot.Count + 1), -1);
            if (ready < 0)
            {
                // EINTR is routine; anything else (ENOMEM) is transient as far as we can do anything about it.
                if (Marshal.GetLastPInvokeError() != LibC.EINTR)
                {
                    Thread.Sleep(10);
                }

                continue;
            }

            if (fds[0].Revents != 0)
            {
                _ = LibC.ReadCounter(_wakeFd, out _, sizeof(ulong));
            }

            for (var i = 0; i < snapshot.Count; i++)
            {
                var revents = fds[i + 1].Revents;
                if (revents == 0)
                {
                    continue;
                }

                var waiter = snapshot[i];
                bool removed;
                lock (_gate)
                {
                    removed = _waiters.Remove(waiter);
                }

                if (removed)
                {
                    waiter.Completion.TrySetResult(revents);
                }
            }
        }
    }

    private sealed class Waiter(PollReactor owner, int fd, short events)
    {
        public PollReactor Owner { get; } = owner;

        public int Fd { get; } = fd;

        public short Events { get; } = events;

        // Continuations run on the pool, never on the poll thread.
        public TaskCompletionSource<short> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
