using Microsoft.Extensions.Logging;
using Prover.Contracts.Spacemesh.V1;

namespace Prover.Service;

/// <summary>
/// Turns each <see cref="NodeRequest"/> of one identity's stream into exactly one <see cref="ServiceResponse"/>
/// (the node expects strict alternation, spec §8.3). Never throws for any request the decoder accepted: a request
/// without a known kind gets <c>GenProofResponse{status: ERROR}</c>, as post-service answers.
/// </summary>
public sealed class RequestDispatcher
{
    private readonly PostIdentity _identity;
    private readonly ProofStateMachine _proofs;
    private readonly ILogger _logger;

    public RequestDispatcher(PostIdentity identity, ProofStateMachine proofs, ILogger logger)
    {
        _identity = identity;
        _proofs = proofs;
        _logger = logger;
    }

    public PostIdentity Identity => _identity;

    public ServiceResponse Handle(NodeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _logger.Request(_identity.ShortId, request.KindCase.ToString());
        switch (request.KindCase)
        {
            case NodeRequest.KindOneofCase.Metadata:
                return new ServiceResponse { Metadata = new MetadataResponse { Meta = _identity.ProtoMetadata.Clone() } };
            case NodeRequest.KindOneofCase.GenProof:
                return new ServiceResponse { GenProof = _proofs.Handle(request.GenProof.Challenge) };
            default:
                _logger.UnknownRequest(_identity.ShortId);
                return new ServiceResponse { GenProof = ProofStateMachine.Error() };
        }
    }
}
