// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredenceTest} from "./CredenceTest.sol";
import {ModelRegistry} from "../../src/ModelRegistry.sol";
import {WorkerRegistry} from "../../src/WorkerRegistry.sol";
import {RewardVault} from "../../src/RewardVault.sol";
import {InferenceHub} from "../../src/InferenceHub.sol";
import {CredenceTensors} from "../../src/CredenceTensors.sol";

/// @dev The whole protocol deployed and wired as in production, with registered datasets, a
///      quorum-1 model, a quorum-2 model, three staked workers, and helpers to request, sign and
///      settle.
abstract contract CredenceFixture is CredenceTest {
    address internal constant OWNER = address(0x0A0A);
    address internal constant TREASURY = address(0x7EA5);
    address internal constant AUTHOR = address(0xA11CE);
    address internal constant PROVIDER = address(0xDA7A);
    address internal constant OTHER = address(0x07E4);
    address internal constant DAPP = address(0xDA99);
    address internal constant OPERATOR_1 = address(0x0901);
    address internal constant OPERATOR_2 = address(0x0902);
    address internal constant OPERATOR_3 = address(0x0903);

    uint256 internal constant KEY_1 = 0xA1;
    uint256 internal constant KEY_2 = 0xA2;
    uint256 internal constant KEY_3 = 0xA3;
    uint256 internal constant MIN_STAKE = 1 ether;
    uint64 internal constant UNBONDING_DELAY = 7 days;
    uint16 internal constant PROTOCOL_BPS = 500;
    uint16 internal constant WORKER_BPS = 2_000;
    uint16 internal constant SLASH_REWARD_BPS = 1_000;
    uint256 internal constant FEE = 0.01 ether;

    bytes32 internal constant DATA_HASH = keccak256("iris.csv");
    bytes32 internal constant MODEL_HASH = keccak256("iris.onnx");

    ModelRegistry internal registry;
    WorkerRegistry internal workers;
    RewardVault internal vault;
    InferenceHub internal hub;
    uint256 internal model1; // quorum 1
    uint256 internal model2; // quorum 2

    function setUp() public virtual {
        registry = new ModelRegistry(OWNER);
        workers = new WorkerRegistry(OWNER, MIN_STAKE, UNBONDING_DELAY, SLASH_REWARD_BPS);
        hub = new InferenceHub(OWNER, registry, workers, TREASURY, PROTOCOL_BPS, WORKER_BPS, 16_384, 2_000_000);
        vault = RewardVault(address(hub));
        vm.startPrank(OWNER);
        registry.setHub(hub);
        workers.setHub(address(hub));
        vm.stopPrank();

        vm.prank(PROVIDER);
        registry.registerDataset(DATA_HASH, "file:data/iris.csv");
        vm.startPrank(AUTHOR);
        model1 = registry.registerModel(MODEL_HASH, "file:models/iris.onnx", FEE, 1, _contributors());
        model2 = registry.registerModel(MODEL_HASH, "file:models/iris.onnx", FEE, 2, _contributors());
        vm.stopPrank();

        _registerWorker(KEY_1, OPERATOR_1, MIN_STAKE);
        _registerWorker(KEY_2, OPERATOR_2, MIN_STAKE);
        _registerWorker(KEY_3, OPERATOR_3, 2 * MIN_STAKE);
        vm.deal(DAPP, 1_000 ether);
        vm.warp(1_000_000);
    }

    function _contributors() internal pure returns (ModelRegistry.Contributor[] memory list) {
        list = new ModelRegistry.Contributor[](3);
        list[0] = ModelRegistry.Contributor(AUTHOR, 1, 6_000, bytes32(0));
        list[1] = ModelRegistry.Contributor(PROVIDER, 2, 3_000, DATA_HASH);
        list[2] = ModelRegistry.Contributor(OTHER, 3, 1_000, bytes32(0));
    }

    function _registerWorker(uint256 key, address operator, uint256 stake) internal {
        address signer = vm.addr(key);
        bytes memory proof = _sign(key, workers.workerKeyDigest(operator));
        vm.deal(operator, operator.balance + stake);
        vm.prank(operator);
        workers.register{value: stake}(signer, proof);
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _input() internal pure returns (bytes memory) {
        CredenceTensors.Tensor[] memory t = new CredenceTensors.Tensor[](1);
        uint32[] memory shape = new uint32[](2);
        shape[0] = 1;
        shape[1] = 4;
        t[0] = CredenceTensors.Tensor("features", 1, shape, hex"0000a0400000604000003f400000803e");
        return abi.encode(t);
    }

    /// @dev Class probabilities [0.1, 0.7, 0.2] as float32 little-endian.
    function _output() internal pure returns (bytes memory) {
        CredenceTensors.Tensor[] memory t = new CredenceTensors.Tensor[](1);
        uint32[] memory shape = new uint32[](2);
        shape[0] = 1;
        shape[1] = 3;
        t[0] = CredenceTensors.Tensor("probabilities", 1, shape, hex"cdcccc3d3333333fcdcc4c3e");
        return abi.encode(t);
    }

    function _request(uint256 modelId, uint256 fee)
        internal
        virtual
        returns (uint256 id, InferenceHub.Request memory req)
    {
        return _requestFrom(DAPP, modelId, fee, address(0), 0);
    }

    /// @dev A request with no gas allowance (whoever serves it pays its own gas).
    function _requestFrom(address requester, uint256 modelId, uint256 fee, address callback, uint32 callbackGas)
        internal
        returns (uint256 id, InferenceHub.Request memory req)
    {
        return _requestWithGas(requester, modelId, fee, callback, callbackGas, 0, 0);
    }

    function _requestWithGas(
        address requester,
        uint256 modelId,
        uint256 fee,
        address callback,
        uint32 callbackGas,
        uint256 gasAllowance,
        uint256 maxFeePerGas
    ) internal returns (uint256 id, InferenceHub.Request memory req) {
        bytes memory input = _input();
        uint64 deadline = uint64(block.timestamp + 1 hours);
        vm.prank(requester);
        id = hub.requestInference{value: fee + gasAllowance}(
            modelId, input, deadline, callback, callbackGas, gasAllowance, maxFeePerGas
        );
        req = InferenceHub.Request(
            requester, modelId, keccak256(input), fee, deadline, callback, callbackGas, gasAllowance, maxFeePerGas
        );
    }

    /// @dev Keys sorted by their address, as the hub requires.
    function _sorted(uint256[] memory keys) internal pure returns (uint256[] memory) {
        for (uint256 i = 1; i < keys.length; ++i) {
            for (uint256 j = i; j > 0 && vm.addr(keys[j]) < vm.addr(keys[j - 1]); --j) {
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
        return keys;
    }

    function _keys(uint256 a) internal pure returns (uint256[] memory k) {
        k = new uint256[](1);
        k[0] = a;
    }

    function _keys(uint256 a, uint256 b) internal pure returns (uint256[] memory k) {
        k = new uint256[](2);
        k[0] = a;
        k[1] = b;
        k = _sorted(k);
    }

    function _receipt(uint256 id, InferenceHub.Request memory req, bytes memory output, uint256[] memory keys)
        internal
        view
        returns (InferenceHub.Receipt memory rc)
    {
        // each worker signs its own executedAt: here a second apart
        bytes memory proofs;
        for (uint256 i; i < keys.length; ++i) {
            proofs = bytes.concat(proofs, _proof(keys[i], id, req.inputHash, output, uint64(block.timestamp - i)));
        }
        rc = InferenceHub.Receipt(id, req, output, proofs);
    }

    function _failure(uint256 id, InferenceHub.Request memory req, uint16 reason, uint256[] memory keys)
        internal
        view
        returns (InferenceHub.Failure memory f)
    {
        bytes32 detailHash = keccak256("input tensor 'features' has shape [1,5], expected [1,4]");
        bytes32 digest = hub.failureDigest(id, MODEL_HASH, req.inputHash, reason, detailHash);
        f = InferenceHub.Failure(id, req, reason, detailHash, _signAll(keys, digest));
    }

    /// @dev One worker's proof: its signature of the receipt with `executedAt`, then executedAt.
    function _proof(uint256 key, uint256 id, bytes32 inputHash, bytes memory output, uint64 executedAt)
        internal
        view
        returns (bytes memory)
    {
        bytes32 digest = hub.receiptDigest(id, MODEL_HASH, inputHash, keccak256(output), executedAt);
        return bytes.concat(_sign(key, digest), bytes8(executedAt));
    }

    /// @dev The keys' signatures of `digest`, concatenated in the order given.
    function _signAll(uint256[] memory keys, bytes32 digest) internal pure returns (bytes memory sigs) {
        for (uint256 i; i < keys.length; ++i) {
            sigs = bytes.concat(sigs, _sign(keys[i], digest));
        }
    }

    function _one(InferenceHub.Receipt memory rc) internal pure returns (InferenceHub.Receipt[] memory list) {
        list = new InferenceHub.Receipt[](1);
        list[0] = rc;
    }

    function _oneFailure(InferenceHub.Failure memory f) internal pure returns (InferenceHub.Failure[] memory list) {
        list = new InferenceHub.Failure[](1);
        list[0] = f;
    }

    function _settle(uint256 id, InferenceHub.Request memory req, uint256[] memory keys) internal {
        hub.submitReceipts(_one(_receipt(id, req, _output(), keys)));
    }

    /// @dev Everything every known account can claim, plus undistributed pools and protocol fees.
    function _claimableTotal() internal view returns (uint256 total) {
        total = vault.protocolFeesAccrued();
        address[9] memory accounts =
            [TREASURY, AUTHOR, PROVIDER, OTHER, DAPP, OPERATOR_1, OPERATOR_2, OPERATOR_3, address(this)];
        for (uint256 i; i < accounts.length; ++i) {
            total += vault.balanceOf(accounts[i]);
        }
        for (uint256 m = 1; m <= registry.modelCount(); ++m) {
            total += vault.pendingPool(m);
        }
    }
}
