using Hangfire.Logging;
using Microsoft.Extensions.Logging;
using HangfireLevel = Hangfire.Logging.LogLevel;
using MsLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Portal.App.Jobs;

/// <summary>
/// Hangfire's log provider is process-wide (<c>LogProvider.SetCurrentLogProvider</c>), and Hangfire's own ASP.NET Core
/// provider holds one host's <see cref="ILoggerFactory"/>. With several hosts in a process (the web tests), a host that
/// stopped left every other host's Hangfire logging, and so its job creation, throwing ObjectDisposedException. This
/// bridge writes to the latest host's logger factory and drops a line, rather than failing the caller, once it is gone.
/// </summary>
internal sealed class HangfireLogBridge : ILogProvider
{
    private static volatile ILoggerFactory? _factory;

    public static readonly HangfireLogBridge Instance = new();

    private HangfireLogBridge()
    {
    }

    public static HangfireLogBridge For(ILoggerFactory factory)
    {
        _factory = factory;
        return Instance;
    }

    public ILog GetLogger(string name) => new BridgedLog(name);

    private sealed class BridgedLog(string name) : ILog
    {
        private (ILoggerFactory Factory, ILogger Logger)? _current;

        public bool Log(HangfireLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                var logger = Logger();
                if (logger is null)
                {
                    return false;
                }

                var level = Map(logLevel);
                if (messageFunc is null)
                {
                    return logger.IsEnabled(level);
                }

                if (logger.IsEnabled(level))
                {
#pragma warning disable CA2254 // Hangfire hands over a finished message, not a template.
                    logger.Log(level, exception, messageFunc());
#pragma warning restore CA2254
                }

                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        private ILogger? Logger()
        {
            var factory = _factory;
            if (factory is null)
            {
                return null;
            }

            if (_current is not { } current || !ReferenceEquals(current.Factory, factory))
            {
                _current = current = (factory, factory.CreateLogger(name));
            }

            return current.Logger;
        }

        private static MsLevel Map(HangfireLevel level) => level switch
        {
            HangfireLevel.Trace => MsLevel.Trace,
            HangfireLevel.Debug => MsLevel.Debug,
            HangfireLevel.Info => MsLevel.Information,
            HangfireLevel.Warn => MsLevel.Warning,
            HangfireLevel.Error => MsLevel.Error,
            _ => MsLevel.Critical,
        };
    }
}
