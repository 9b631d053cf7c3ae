// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredenceFixture} from "./utils/CredenceFixture.sol";
import {InferenceHub} from "../src/InferenceHub.sol";
import {RewardVault} from "../src/RewardVault.sol";
import {ExampleConsumer} from "../src/ExampleConsumer.sol";
import {CredenceTensors} from "../src/CredenceTensors.sol";

/// @dev Exposes the tensor library's helpers for testing.
contract TensorHarness {
    function argmax(bytes calldata encoded, uint256 index) external pure returns (uint256) {
        return CredenceTensors.argmaxFloat32(CredenceTensors.decode(encoded)[index]);
    }
}

contract EdgesTest is CredenceFixture {
    function _tensor(uint8 dtype, bytes memory data) internal pure returns (bytes memory) {
        CredenceTensors.Tensor[] memory t = new CredenceTensors.Tensor[](1);
        uint32[] memory shape = new uint32[](1);
        shape[0] = uint32(data.length / 4);
        t[0] = CredenceTensors.Tensor("t", dtype, shape, data);
        return abi.encode(t);
    }

    function test_tensors_argmaxHandlesNegativesAndRejectsOtherTypes() public {
        TensorHarness h = new TensorHarness();
        // [-2.0, -0.5, -1.0] as float32 little-endian: the largest is -0.5
        assertEq(h.argmax(_tensor(1, hex"000000c0000000bf000080bf"), 0), 1, "argmax of negatives");
        assertEq(h.argmax(_output(), 0), 1, "argmax of [0.1, 0.7, 0.2]");
        vm.expectRevert(abi.encodeWithSelector(CredenceTensors.NotFloat32.selector, 3));
        h.argmax(_tensor(3, hex"01000000"), 0);
        vm.expectRevert(CredenceTensors.EmptyTensor.selector);
        h.argmax(_tensor(1, ""), 0);
    }

    function test_exampleConsumer_guardsItsEntryPoints() public {
        ExampleConsumer consumer = new ExampleConsumer(hub);
        vm.expectRevert(abi.encodeWithSelector(ExampleConsumer.OnlyHub.selector, OTHER));
        vm.prank(OTHER);
        consumer.onInferenceResult(1, _output());
        vm.expectRevert(abi.encodeWithSelector(ExampleConsumer.OnlyHub.selector, OTHER));
        vm.prank(OTHER);
        consumer.onInferenceRefund(1, 1);
        vm.expectRevert(abi.encodeWithSelector(ExampleConsumer.NoFloat32Output.selector, 7));
        vm.prank(address(hub));
        consumer.onInferenceResult(7, _tensor(4, hex"0100000000000000"));
        vm.expectRevert(abi.encodeWithSelector(ExampleConsumer.NothingToWithdraw.selector, DAPP));
        vm.prank(DAPP);
        consumer.withdrawRefund();
        vm.deal(OTHER, 1 ether);
        vm.prank(OTHER);
        (bool ok, bytes memory err) = address(consumer).call{value: 1}("");
        assertFalse(ok, "only the hub pays the consumer");
        assertEq(bytes4(err), ExampleConsumer.UnexpectedSender.selector, "error");
    }

    /// Accruals have room for more ETH than exists; the guards still say what overflowed.
    function test_overflowGuards() public {
        vm.prank(OWNER);
        hub.setSplit(2_000, 0);
        uint256 huge = uint256(type(uint96).max) * 6; // 20% of it exceeds 2^96
        vm.deal(DAPP, huge);
        (uint256 id, InferenceHub.Request memory req) = _request(model1, huge);
        InferenceHub.Receipt[] memory list = _one(_receipt(id, req, _output(), _keys(KEY_1)));
        vm.expectRevert(abi.encodeWithSelector(RewardVault.ProtocolAccrualOverflow.selector, huge * 2_000 / 10_000));
        hub.submitReceipts(list);

        vm.prank(OWNER);
        hub.setSplit(0, 0);
        uint256 enormous = uint256(type(uint160).max) + 1;
        vm.deal(DAPP, enormous);
        (id, req) = _request(model1, enormous);
        list = _one(_receipt(id, req, _output(), _keys(KEY_1)));
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.PoolOverflow.selector, model1, enormous));
        hub.submitReceipts(list);
    }
}
