// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredenceFixture} from "./CredenceFixture.sol";
import {InferenceHub} from "../../src/InferenceHub.sol";
import {DisputeCourt} from "../../src/DisputeCourt.sol";
import {SettlementRecords} from "../../src/SettlementRecords.sol";

/// @dev The protocol with its DisputeCourt wired in as in production, two more staked workers
///      (five in all, so that a jury can be drawn around any quorum), and helpers to settle
///      batches, open audits and challenges, and vote.
abstract contract CourtFixture is CredenceFixture {
    address internal constant OPERATOR_4 = address(0x0904);
    address internal constant OPERATOR_5 = address(0x0905);
    address internal constant CHALLENGER = address(0xC4A1);
    uint256 internal constant KEY_4 = 0xA4;
    uint256 internal constant KEY_5 = 0xA5;

    uint64 internal constant WINDOW = 1 days;
    uint64 internal constant VERDICT_WINDOW = 1 hours;
    uint96 internal constant MIN_BOND = 0.01 ether;
    uint16 internal constant CHALLENGER_REWARD_BPS = 2_000;
    uint16 internal constant JUROR_REWARD_BPS = 2_000;

    bytes32 internal constant WRONG = keccak256("a wrong output");

    DisputeCourt internal court;

    /// @dev A settled batch as the tests keep it: the proof a challenge needs and every leaf.
    struct Settled {
        DisputeCourt.Batch batch;
        DisputeCourt.Leaf[] leaves;
    }

    function setUp() public virtual override {
        super.setUp();
        court = new DisputeCourt(OWNER, hub, workers, registry, _params(), _defaults());
        vm.startPrank(OWNER);
        hub.setCourt(address(court));
        workers.setCourt(address(court));
        vm.stopPrank();
        _registerWorker(KEY_4, OPERATOR_4, MIN_STAKE);
        _registerWorker(KEY_5, OPERATOR_5, MIN_STAKE);
        vm.deal(CHALLENGER, 1_000 ether);
        vm.roll(100);
    }

    function _params() internal pure returns (DisputeCourt.Params memory) {
        return DisputeCourt.Params(VERDICT_WINDOW, MIN_BOND, 10, CHALLENGER_REWARD_BPS, JUROR_REWARD_BPS, 5);
    }

    function _defaults() internal pure returns (DisputeCourt.Terms memory) {
        return DisputeCourt.Terms(WINDOW, 100, 3, 3, 8, 1_000);
    }

    /// @dev Sets model terms as the model's owner (AUTHOR).
    function _setTerms(uint256 modelId, uint16 auditRateBps, uint8 jurySize) internal {
        vm.prank(AUTHOR);
        court.setModelTerms(modelId, DisputeCourt.Terms(WINDOW, auditRateBps, jurySize, 1, 0, 0));
    }

    function _allKeys() internal pure returns (uint256[5] memory) {
        return [KEY_1, KEY_2, KEY_3, KEY_4, KEY_5];
    }

    function _keyOf(address signer) internal pure returns (uint256) {
        uint256[5] memory keys = _allKeys();
        for (uint256 i; i < keys.length; ++i) {
            if (vm.addr(keys[i]) == signer) return keys[i];
        }
        revert("unknown signer");
    }

    function _signersOf(uint256[] memory keys) internal pure returns (address[] memory signers) {
        signers = new address[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            signers[i] = vm.addr(keys[i]);
        }
    }

    /// @dev Requests `n` answers of `modelId` and settles them in one batch signed by `keys`.
    function _settleBatch(uint256 modelId, uint256 n, uint256[] memory keys) internal returns (Settled memory s) {
        InferenceHub.Receipt[] memory receipts = new InferenceHub.Receipt[](n);
        s.leaves = new DisputeCourt.Leaf[](n);
        s.batch.leaves = new bytes32[](n);
        bytes32 outputHash = keccak256(_output());
        for (uint256 i; i < n; ++i) {
            (uint256 id, InferenceHub.Request memory req) = _request(modelId, FEE);
            receipts[i] = _receipt(id, req, _output(), keys);
            s.leaves[i] = DisputeCourt.Leaf(id, req, outputHash, _signersOf(keys));
            bytes32 commitment = SettlementRecords.commitment(keccak256(abi.encode(req)));
            s.batch.leaves[i] = SettlementRecords.leaf(id, commitment, outputHash, _signersOf(keys));
        }
        hub.submitReceipts(receipts);
        s.batch.batchId = receipts[0].requestId;
        s.batch.settledBlock = uint64(vm.getBlockNumber());
        s.batch.settledAt = uint64(vm.getBlockTimestamp());
    }

    function _settleOne(uint256 modelId, uint256 key) internal returns (Settled memory) {
        return _settleBatch(modelId, 1, _keys(key));
    }

    /// @dev Mines past the batch's seed block and draws its audits.
    function _drawAudits(Settled memory s) internal returns (uint256 audited) {
        vm.roll(s.batch.settledBlock + court.SEED_DELAY() + 1);
        return court.drawAudits(s.batch.batchId, s.batch.settledBlock, s.batch.settledAt, s.leaves);
    }

    /// @dev Challenges leaf `index` with the required bond and draws the jury.
    function _challenge(Settled memory s, uint256 index) internal returns (uint256 id) {
        uint256 bond = court.requiredBond(s.leaves[index].request.fee);
        vm.prank(CHALLENGER);
        id = court.challenge{value: bond}(s.batch, index, s.leaves[index]);
        vm.roll(vm.getBlockNumber() + court.SEED_DELAY() + 1);
        court.drawJury(id);
    }

    function _verdict(uint256 key, uint256 disputeId, bytes32 jurorOutputHash, bool agrees)
        internal
        view
        returns (DisputeCourt.Verdict memory)
    {
        DisputeCourt.Dispute memory d = court.dispute(disputeId);
        bytes32 digest = court.verdictDigest(disputeId, d.requestId, d.outputHash, jurorOutputHash, agrees);
        return DisputeCourt.Verdict(disputeId, jurorOutputHash, agrees, _sign(key, digest));
    }

    /// @dev Every juror votes; `disagreeMask` bit i makes juror i disagree (with WRONG's output).
    function _vote(uint256 disputeId, uint256 disagreeMask) internal {
        _voteSome(disputeId, disagreeMask, type(uint256).max);
    }

    /// @dev Jurors in `voters` (bit i: juror i) vote; bit i of `disagreeMask` makes juror i disagree.
    function _voteSome(uint256 disputeId, uint256 disagreeMask, uint256 voters) internal {
        DisputeCourt.Dispute memory d = court.dispute(disputeId);
        uint256 n;
        for (uint256 i; i < d.jurors.length; ++i) {
            if (voters & (1 << i) != 0) n++;
        }
        DisputeCourt.Verdict[] memory list = new DisputeCourt.Verdict[](n);
        uint256 k;
        for (uint256 i; i < d.jurors.length; ++i) {
            if (voters & (1 << i) == 0) continue;
            bool agrees = disagreeMask & (1 << i) == 0;
            list[k++] = _verdict(_keyOf(d.jurors[i]), disputeId, agrees ? d.outputHash : WRONG, agrees);
        }
        court.submitVerdicts(list);
    }

    /// @dev ETH the protocol's contracts hold must equal escrow + everything owed + open bonds.
    function _heldByProtocol() internal view returns (uint256) {
        return address(hub).balance + address(court).balance;
    }
}
