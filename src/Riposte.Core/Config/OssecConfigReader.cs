using System.Xml.Linq;
using Riposte.Matching;

namespace Riposte.Config;

/// <summary>
/// Reads the active-response part of Wazuh <c>ossec.conf</c> files with analysisd's semantics (and execd's for the
/// settings execd reads). Unlike analysisd, it does not stop at the first error: every error of every block is
/// reported. The verdict is analysisd's all the same: a configuration with any error has no <see cref="WazuhConfig"/>.
/// </summary>
public sealed class OssecConfigReader
{
    private readonly List<ConfigDiagnostic> _diagnostics = [];
    private readonly List<CommandDefinition> _commands = [];
    private readonly List<ActiveResponseDefinition> _blocks = [];
    private readonly WhiteListBuilder _whiteList = new();
    private readonly ExecdOptionsBuilder _execd = new();
    private string? _nodeName;
    private ArQueues _queues;
    private int _blockIndex;

    // Names of <command> blocks that were refused: a response naming one is not also reported as an unknown
    // command (1303), which would only echo the command's own error.
    private readonly HashSet<string> _refusedCommands = new(StringComparer.Ordinal);
    private string? _firstFile;
    private bool _allFilesParsed = true;
    private bool _sawArSection;
    private bool _sawElement;

    private readonly ConfigRole _role;

    private OssecConfigReader(ConfigRole role)
    {
        _role = role;
    }

    /// <summary>Reads files in order, as if they were one document (a command must be defined before it is used).</summary>
    public static ConfigLoadResult ReadFiles(IEnumerable<string> paths, ConfigRole role = ConfigRole.Manager)
    {
        var reader = new OssecConfigReader(role);
        foreach (var path in paths)
        {
            reader._firstFile ??= path;
            byte[]? bytes;
            string? refusal;
            try
            {
                bytes = BoundedFile.Read(path, out refusal);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                reader._diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, new SourcePosition(path, 0, 0), 1239,
                    $"Configuration file not found: '{path}'. ({ex.Message})"));
                reader._allFilesParsed = false;
                continue;
            }

            if (bytes is null)
            {
                reader._diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, new SourcePosition(path, 0, 0),
                    WazuhMessages.XmlReadError, WazuhMessages.XmlRead(path, refusal!) + "."));
                reader._allFilesParsed = false;
                continue;
            }

            reader.ReadDocument(Decode(bytes), path);
        }

        return reader.Finish();
    }

    /// <summary>As <c>File.ReadAllText</c>: UTF-8 unless a byte order mark says otherwise, invalid bytes replaced.</summary>
    private static string Decode(byte[] bytes)
    {
        using var text = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return text.ReadToEnd();
    }

    /// <summary>Reads configuration text; <paramref name="file"/> names it in diagnostics.</summary>
    public static ConfigLoadResult ReadText(string text, string file = "ossec.conf", ConfigRole role = ConfigRole.Manager)
    {
        var reader = new OssecConfigReader(role);
        reader._firstFile = file;
        reader.ReadDocument(text, file);
        return reader.Finish();
    }

    private void ReadDocument(string text, string file)
    {
        var wrapper = XmlConfigDocument.Load(text, file, _diagnostics);
        if (wrapper is null)
        {
            _allFilesParsed = false;
            return;
        }

        if (!wrapper.Elements().Any())
        {
            // os_xml skips text outside elements, so Wazuh reads such a file as an empty configuration, silently.
            // It is a warning, not an error, to keep Wazuh's verdict; but it is almost certainly the wrong file.
            WarnNoElement(text, file);
            return;
        }

        _sawElement = true;

        foreach (var root in wrapper.Elements())
        {
            if (root.Name.LocalName != "ossec_config")
            {
                if (_role == ConfigRole.Manager)
                {
                    // analysisd's ReadConfig refuses any root other than <ossec_config> (XML_INVELEM).
                    Error(root, file, WazuhMessages.InvalidElement, WazuhMessages.Element(root.Name.LocalName));
                }
                else
                {
                    // execd's raw read only looks under ossec_config/active-response.
                    Add(DiagnosticSeverity.Warning, root, file, null, $"Root element '{root.Name.LocalName}' is not 'ossec_config'; ignored.");
                }

                continue;
            }

            foreach (var section in root.Elements())
            {
                switch (section.Name.LocalName)
                {
                    case "command":
                        _sawArSection = true;
                        ReadCommand(section, file);
                        break;
                    case "active-response":
                        _sawArSection = true;
                        ReadActiveResponse(section, file);
                        break;
                    case "global":
                        foreach (var entry in section.Elements("white_list"))
                        {
                            ReadWhiteListEntry(entry, file);
                        }

                        break;
                    case "cluster":
                        foreach (var node in section.Elements("node_name"))
                        {
                            _nodeName = node.Value;
                        }

                        break;
                    default:
                        // Other sections belong to other Wazuh modules; they are not ours to judge.
                        break;
                }
            }
        }
    }

    private void ReadCommand(XElement block, string file)
    {
        string? name = null, executable = null, extraArgs = null;
        var timeoutAllowed = false;
        var refused = false;
        string? nameText = null;
        foreach (var child in block.Elements())
        {
            // analysisd stops at the first refused element; going on reports the block's other errors as well.
            if (!TryContent(child, file, out var value))
            {
                refused = true;
                continue;
            }

            switch (child.Name.LocalName)
            {
                case "name":
                    nameText = value;
                    if (value.StartsWith('!'))
                    {
                        Error(child, file, WazuhMessages.InvalidValue, WazuhMessages.Value("name", value));
                        refused = true;
                        break;
                    }

                    name = value;
                    break;
                case "expect":
                    Add(DiagnosticSeverity.Info, child, file, null, "The <expect> tag is deprecated since version 4.2.0.");
                    break;
                case "executable":
                    executable = value;
                    break;
                case "timeout_allowed":
                    if (!TryYesNo(child, file, value, out timeoutAllowed))
                    {
                        refused = true;
                    }

                    break;
                case "extra_args":
                    extraArgs = value;
                    break;
                default:
                    Error(child, file, WazuhMessages.InvalidElement, WazuhMessages.Element(child.Name.LocalName));
                    refused = true;
                    break;
            }
        }

        // An element that is there but was refused (empty, '!name') is reported already: it is not also missing.
        if (!Has(block, "name") || !Has(block, "executable"))
        {
            Error(block, file, WazuhMessages.MissingCommandOptions, WazuhMessages.CommandOptions);
            refused = true;
        }

        if (refused || name is null || executable is null)
        {
            // Every way here reported an error, so the configuration is refused whatever the responses say.
            if (nameText is not null)
            {
                _refusedCommands.Add(nameText);
            }

            return;
        }

        if (executable.Contains("..", StringComparison.Ordinal))
        {
            Add(DiagnosticSeverity.Warning, block, file, null,
                $"Executable '{executable}' contains '..': execd refuses it as a directory traversal attempt.");
        }
        else if (executable.StartsWith('/'))
        {
            Add(DiagnosticSeverity.Warning, block, file, null,
                $"Executable '{executable}' is absolute: execd runs 'active-response/bin/{executable}' under the home, not '{executable}'; put the program in active-response/bin.");
        }

        _commands.Add(new CommandDefinition(name, executable, timeoutAllowed, extraArgs, XmlConfigDocument.PositionOf(block, file)));
    }

    private void ReadActiveResponse(XElement block, string file)
    {
        var raw = new RawResponseBlock();
        var refused = false;
        foreach (var child in block.Elements())
        {
            // analysisd stops at the first refused element; going on reports the block's other errors as well.
            if (!TryContent(child, file, out var value) || !raw.Accept(child, value, file, this, _role))
            {
                refused = true;
            }
        }

        if (refused)
        {
            // A disabled block is discarded before analysisd looks at its command and location.
            if (!raw.Disabled)
            {
                CheckBlock(raw, block, file);
            }

            return;
        }

        _execd.Observe(raw, block, file, this);
        var position = XmlConfigDocument.PositionOf(block, file);
        var index = _blockIndex++;

        if (raw.Disabled)
        {
            // Wazuh quirk Q1: a disabled block also clears the queue flags gathered so far.
            _queues = ArQueues.None;
            _blocks.Add(new ActiveResponseDefinition
            {
                BlockIndex = index,
                Position = position,
                Status = ResponseStatus.Disabled,
                CommandName = raw.Command,
                Command = FindCommand(raw.Command),
                Name = (raw.Command ?? "") + raw.Timeout.ToString(System.Globalization.CultureInfo.InvariantCulture),
                LocationText = raw.Location,
                Level = raw.Level,
                RulesGroup = raw.RulesGroup,
                RulesIdText = raw.RulesId,
                Timeout = raw.Timeout,
            });
            return;
        }

        if (!CheckBlock(raw, block, file))
        {
            return;
        }

        // CheckBlock made sure of the command, the location and a defined agent's agent_id.
        var location = LocationKeywords.Parse(raw.Location!);
        var agentId = 0;
        var dropped = false;
        if (location.HasFlag(ArLocation.DefinedAgent))
        {
            agentId = CNumbers.Atoi(raw.AgentId!);
            if (CNumbers.AtoiOverflows(raw.AgentId!))
            {
                Add(DiagnosticSeverity.Warning, block, file, null, RawResponseBlock.Overflow("agent_id", raw.AgentId!, agentId));
            }

            if (agentId == 0)
            {
                Add(DiagnosticSeverity.Warning, block, file, WazuhMessages.InvalidAgentId, WazuhMessages.AgentId);
                dropped = true;
            }
            else if (raw.AgentId!.Trim().Contains(',', StringComparison.Ordinal) || raw.AgentId.Trim().Contains(' ', StringComparison.Ordinal))
            {
                Add(DiagnosticSeverity.Warning, block, file, null,
                    $"agent_id '{raw.AgentId}' names more than one agent; Wazuh uses only the first ({agentId:D3}).");
            }
        }

        var command = FindCommand(raw.Command);
        var timeout = raw.Timeout;
        if (!dropped && timeout != 0 && !command!.TimeoutAllowed)
        {
            Add(DiagnosticSeverity.Info, block, file, WazuhMessages.TimeoutNotAllowed, WazuhMessages.NoTimeout(command.Name));
            timeout = 0;
        }
        else if (timeout < 0)
        {
            Add(DiagnosticSeverity.Warning, block, file, null,
                $"Negative timeout {timeout}: Wazuh accepts it and deletes the response on the next second.");
        }

        var rulesIds = Array.Empty<int>();
        if (raw.RulesId is not null)
        {
            rulesIds = RulesIdList.Parse(raw.RulesId, out var stoppedAt, out var overflowed);
            if (stoppedAt >= 0)
            {
                Add(DiagnosticSeverity.Warning, raw.RulesIdElement!, file, null,
                    $"rules_id '{raw.RulesId}': analysisd ignores the text from position {stoppedAt + 1} on (only {string.Join(",", rulesIds)} are used).");
            }

            foreach (var (written, read) in overflowed)
            {
                Add(DiagnosticSeverity.Warning, raw.RulesIdElement!, file, null,
                    $"rules_id '{raw.RulesId}': {written} overflows a C int; Wazuh reads it as {read}.");
            }
        }

        var groupRegex = raw.RulesGroup is null ? null : Matching.OsRegex.OsRegexPattern.CompileOrNull(raw.RulesGroup);
        if (raw.RulesGroup is not null && groupRegex is null)
        {
            Add(DiagnosticSeverity.Warning, raw.RulesGroupElement!, file, null,
                $"rules_group '{raw.RulesGroup}' is not a valid OS_Regex pattern: it never matches.");
        }

        var definition = new ActiveResponseDefinition
        {
            BlockIndex = index,
            Position = position,
            Status = dropped ? ResponseStatus.Dropped : ResponseStatus.Active,
            CommandName = raw.Command,
            Command = command,
            Name = (command?.Name ?? raw.Command) + timeout.ToString(System.Globalization.CultureInfo.InvariantCulture),
            LocationText = raw.Location,
            Location = location,
            AgentIdText = raw.AgentId,
            AgentId = agentId,
            Level = raw.Level,
            RulesGroup = raw.RulesGroup,
            RulesGroupRegex = groupRegex,
            RulesIdText = raw.RulesId,
            RulesIds = rulesIds,
            Timeout = timeout,
        };
        _blocks.Add(definition);
        if (dropped)
        {
            return;
        }

        if (definition.HasNoCriteria)
        {
            Add(DiagnosticSeverity.Warning, block, file, null,
                $"Active response '{definition.Name}' has no level, rules_group or rules_id: it never fires.");
        }

        _queues |= QueuesFor(location);
    }

    /// <summary>
    /// analysisd's checks of a whole block (1281, 1304, 1302, 1303), each reported rather than only the first. False
    /// when the block is refused, or silently ignored (only execd settings, or an agent's block).
    /// </summary>
    /// <remarks>
    /// Presence is judged by the elements, so a refused <c>&lt;location&gt;&lt;/location&gt;</c> is not also "missing".
    /// A defined-agent block whose agent_id reads as 0 is dropped by analysisd before its command is looked up: no 1303.
    /// </remarks>
    private bool CheckBlock(RawResponseBlock raw, XElement block, string file)
    {
        var ok = true;
        if (!Has(block, "command") || !Has(block, "location"))
        {
            if (Has(block, "repeated_offenders") || _role != ConfigRole.Manager)
            {
                // A block with only execd settings is silently ignored by analysisd.
                return false;
            }

            Error(block, file, WazuhMessages.MissingArOptions, WazuhMessages.ArOptions);
            ok = false;
        }

        if (raw.Location is { } text)
        {
            var location = LocationKeywords.Parse(text);
            if (location.HasFlag(ArLocation.DefinedAgent))
            {
                if (!Has(block, "agent_id"))
                {
                    Error(block, file, WazuhMessages.NoAgentDefined, WazuhMessages.NoAgent);
                    ok = false;
                }
                else if (raw.AgentId is { } agent && CNumbers.Atoi(agent) == 0)
                {
                    return ok;
                }
            }
            else if (location == ArLocation.None)
            {
                Error(block, file, WazuhMessages.InvalidLocation, WazuhMessages.Location(text));
                ok = false;
            }
        }

        if (raw.Command is { } name && FindCommand(name) is null)
        {
            // A command whose own block was refused is not unknown: its error is reported already.
            if (!_refusedCommands.Contains(name))
            {
                Error(block, file, WazuhMessages.InvalidCommand, WazuhMessages.Command(name));
            }

            ok = false;
        }

        // When every child was accepted, an element that is there has its value: true means command, location and
        // (for a defined agent) agent_id are set.
        return ok;
    }

    private static bool Has(XElement block, string child) => block.Elements().Any(e => e.Name.LocalName == child);

    /// <summary>The warning for a file with no element at all: empty, or text that is not XML.</summary>
    private void WarnNoElement(string text, string file)
    {
        var start = text.AsSpan().IndexOfAnyExcept(" \t\r\n\uFEFF");
        if (start < 0)
        {
            _diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, new SourcePosition(file, 1, 1), null,
                $"'{file}' is empty: it has no <ossec_config> root, so Wazuh reads no configuration from it."));
            return;
        }

        var before = text.AsSpan(0, start);
        var position = new SourcePosition(file, before.Count('\n') + 1, start - before.LastIndexOf('\n'));
        _diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, position, null,
            $"'{file}' is not XML: it holds text but no element, so there is no <ossec_config> root and Wazuh reads no configuration from it."));
    }

    private void ReadWhiteListEntry(XElement entry, string file)
    {
        if (!TryContent(entry, file, out var value))
        {
            return;
        }

        var error = _whiteList.Add(value);
        if (error is not null)
        {
            Error(entry, file, error.Value.Code, error.Value.Message);
        }
    }

    private ConfigLoadResult Finish()
    {
        const int MaxAr = 64;
        const int FixedArConfLines = 6;
        var active = _blocks.Where(b => b.Status == ResponseStatus.Active).ToList();
        if (active.Count + FixedArConfLines > MaxAr)
        {
            var last = active[^1];
            _diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, last.Position, WazuhMessages.TooManyCommands,
                WazuhMessages.Exceeded(active.Count + FixedArConfLines, MaxAr, "etc/shared/ar.conf")));
        }

        if (_role == ConfigRole.Manager && !_sawArSection && _sawElement && _allFilesParsed && _firstFile is { } first
            && !_diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            // Not an error in Wazuh: analysisd then simply runs no active response (Config.ar == 0). Not said when an
            // error refuses the configuration anyway, or when every file was empty (each one has its warning).
            _diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, new SourcePosition(first, 1, 1), null,
                "The configuration has no <command> and no <active-response>: no active response can run."));
        }

        foreach (var block in active)
        {
            var needed = QueuesFor(block.Location);
            if ((needed & _queues) == ArQueues.None)
            {
                _diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, block.Position, null,
                    $"Active response '{block.Name}' never runs: a later disabled block reset the active-response queues (Wazuh quirk Q1). Put an enabled block after the disabled one."));
            }
        }

        var sorted = _diagnostics
            .Select((d, i) => (d, i))
            .OrderBy(x => x.d.Position.File == "" ? 0 : 1)
            .ThenBy(x => x.i)
            .Select(x => x.d)
            .ToList();
        var hasErrors = sorted.Any(d => d.Severity == DiagnosticSeverity.Error);
        var config = hasErrors
            ? null
            : new WazuhConfig(_commands, _blocks, _whiteList.Build(), _nodeName, _queues, _execd.Build());
        return new ConfigLoadResult(config, sorted);
    }

    /// <summary>Which queues a location needs (and enables).</summary>
    internal static ArQueues QueuesFor(ArLocation location)
    {
        var queues = ArQueues.None;
        if (location.HasFlag(ArLocation.Server))
        {
            queues |= ArQueues.Local;
        }

        if (location.HasFlag(ArLocation.Local))
        {
            queues |= ArQueues.Local | ArQueues.Remote;
        }

        if (location.HasFlag(ArLocation.All) || location.HasFlag(ArLocation.DefinedAgent))
        {
            queues |= ArQueues.Remote;
        }

        return queues;
    }

    private CommandDefinition? FindCommand(string? name) =>
        name is null ? null : _commands.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    private bool TryContent(XElement element, string file, out string value)
    {
        value = element.Value;
        if (element.HasElements || value.Length == 0)
        {
            Error(element, file, WazuhMessages.NullContent, WazuhMessages.Null(element.Name.LocalName));
            return false;
        }

        return true;
    }

    internal bool TryYesNo(XElement element, string file, string value, out bool result)
    {
        result = value == "yes";
        if (value is "yes" or "no")
        {
            return true;
        }

        Error(element, file, WazuhMessages.InvalidValue, WazuhMessages.Value(element.Name.LocalName, value));
        return false;
    }

    internal void Error(XObject node, string file, int? code, string message) =>
        Add(DiagnosticSeverity.Error, node, file, code, message);

    internal void Add(DiagnosticSeverity severity, XObject node, string file, int? code, string message) =>
        _diagnostics.Add(new ConfigDiagnostic(severity, XmlConfigDocument.PositionOf(node, file), code, message));
}
