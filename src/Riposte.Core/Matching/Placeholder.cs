namespace Riposte.Matching;
