// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredenceTest} from "./utils/CredenceTest.sol";
import {Vm} from "./utils/Vm.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";

/// @dev Drives the registry with random datasets, models, fee changes and retirements.
contract RegistryHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    ModelRegistry public immutable registry;
    bytes32[] public datasetHashes;
    uint256 public modelsRegistered;

    constructor(ModelRegistry registry_) {
        registry = registry_;
    }

    function _actor(uint256 seed) internal pure returns (address) {
        return address(uint160(0xC0DE00 + (seed % 8)));
    }

    function registerDataset(uint256 actorSeed, bytes32 hash) external {
        if (hash == bytes32(0) || registry.dataset(hash).provider != address(0)) return;
        vm.prank(_actor(actorSeed));
        registry.registerDataset(hash, "file:data");
        datasetHashes.push(hash);
    }

    function registerModel(uint256 actorSeed, uint256 seed, uint8 count, uint8 quorum) external {
        uint256 n = 1 + (uint256(count) % 8);
        ModelRegistry.Contributor[] memory list = new ModelRegistry.Contributor[](n);
        uint256 left = 10_000;
        for (uint256 i; i < n; ++i) {
            uint256 share = i == n - 1 ? left : 1 + (uint256(keccak256(abi.encode(seed, i))) % (left - (n - i - 1)));
            left -= share;
            bool data = datasetHashes.length > 0 && uint256(keccak256(abi.encode(seed, i, "d"))) % 2 == 0;
            if (data) {
                bytes32 h = datasetHashes[uint256(keccak256(abi.encode(seed, i, "h"))) % datasetHashes.length];
                list[i] = ModelRegistry.Contributor(registry.dataset(h).provider, 2, uint16(share), h);
            } else {
                list[i] = ModelRegistry.Contributor(
                    _actor(uint256(keccak256(abi.encode(seed, i, "a")))), 1, uint16(share), bytes32(0)
                );
            }
        }
        vm.prank(_actor(actorSeed));
        registry.registerModel(keccak256(abi.encode(seed)), "file:model", seed % 1e20, 1 + quorum % 16, list);
        modelsRegistered++;
    }

    function setFee(uint256 modelSeed, uint256 fee) external {
        uint256 count = registry.modelCount();
        if (count == 0) return;
        uint256 id = 1 + modelSeed % count;
        ModelRegistry.Model memory m = registry.model(id);
        if (m.retired) return;
        vm.prank(m.owner);
        registry.setModelFee(id, fee % 1e24);
    }

    function retire(uint256 modelSeed) external {
        uint256 count = registry.modelCount();
        if (count == 0) return;
        uint256 id = 1 + modelSeed % count;
        ModelRegistry.Model memory m = registry.model(id);
        if (m.retired) return;
        vm.prank(m.owner);
        registry.retireModel(id);
    }
}

contract ModelRegistryInvariantTest is CredenceTest {
    ModelRegistry internal registry;
    RegistryHandler internal handler;

    function setUp() public {
        registry = new ModelRegistry(address(this));
        handler = new RegistryHandler(registry);
        targetContract(address(handler));
    }

    /// Ids are sequential and count exactly the successful registrations.
    function invariant_modelCountMatchesRegistrations() public view {
        assertEq(registry.modelCount(), handler.modelsRegistered(), "modelCount");
    }

    /// Every model's shares sum to 10 000 and every DATA contributor provided its dataset.
    function invariant_contributorsAreWellFormed() public view {
        uint256 count = registry.modelCount();
        for (uint256 id = 1; id <= count; ++id) {
            ModelRegistry.Contributor[] memory list = registry.contributors(id);
            uint256 total;
            for (uint256 i; i < list.length; ++i) {
                total += list[i].shareBps;
                if (list[i].role == 2) {
                    assertEq(registry.dataset(list[i].dataset).provider, list[i].account, "data provider");
                }
            }
            assertEq(total, 10_000, "shares");
        }
    }
}
