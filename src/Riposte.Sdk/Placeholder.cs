namespace Riposte.Sdk;
