global using Xunit;
global using Metadata = Prover.Contracts.Spacemesh.V1.Metadata;
