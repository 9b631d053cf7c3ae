// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ICredenceConsumer} from "./ICredenceConsumer.sol";
import {CredenceTensors} from "./CredenceTensors.sol";
import {InferenceHub} from "./InferenceHub.sol";

/// @title ExampleConsumer
/// @notice A dApp that asks Credence to classify an input and keeps the predicted class: it
///         decodes the output tensors in Solidity and takes the argmax of the first float32
///         tensor (the class probabilities of a classifier). Refunds are passed on to whoever
///         paid for the request. Each request escrows the gas allowance the hub quotes for its
///         callback (`hub.quote`); what an allowance does not spend comes back to this
///         contract's vault balance, where it stays as the contract's float (a production dApp
///         would pass it on, reading the hub's GasReimbursed events).
contract ExampleConsumer is ICredenceConsumer {
    /// @notice Gas the hub gives each callback; decoding a small output takes far less.
    uint32 public constant CALLBACK_GAS = 300_000;

    struct Answer {
        address requester;
        uint96 fee;
        bool answered;
        bool refunded;
        uint16 failureReason;
        uint32 label;
    }

    InferenceHub public immutable hub;
    mapping(uint256 requestId => Answer) public answers;
    mapping(address requester => uint256) public refundOf;

    event Classified(uint256 indexed requestId, address indexed requester, uint256 label);
    event Refunded(uint256 indexed requestId, address indexed requester, uint16 reason);
    event RefundWithdrawn(address indexed requester, uint256 amount);

    error OnlyHub(address caller);
    error NoFloat32Output(uint256 requestId);
    error NothingToWithdraw(address requester);
    error TransferFailed(address to, uint256 amount);
    error UnexpectedSender(address sender);
    error FeeNotDivisible(uint256 value, uint256 requests);

    constructor(InferenceHub hub_) {
        hub = hub_;
    }

    /// @notice Asks the hub to classify `input` (canonical tensor encoding) with model `modelId`,
    ///         paying back gas at up to `maxFeePerGas`: `msg.value` is the gas allowance the hub
    ///         quotes for the callback plus the fee (the rest, at least the model's fee).
    function classify(uint256 modelId, bytes calldata input, uint64 deadline, uint256 maxFeePerGas)
        external
        payable
        returns (uint256 requestId)
    {
        (, uint256 allowance) = hub.quote(modelId, CALLBACK_GAS, maxFeePerGas);
        return _ask(modelId, input, deadline, msg.value, allowance, maxFeePerGas);
    }

    /// @notice Asks for one classification per input in one transaction (a dApp with many
    ///         questions saves the per-transaction cost); `msg.value` is split evenly among them,
    ///         each part paying one request's quoted allowance and its fee.
    /// @return firstId the first request's id; the others follow it in order
    function classifyMany(uint256 modelId, bytes[] calldata inputs, uint64 deadline, uint256 maxFeePerGas)
        external
        payable
        returns (uint256 firstId)
    {
        uint256 n = inputs.length;
        if (n == 0 || msg.value % n != 0) revert FeeNotDivisible(msg.value, n);
        uint256 each = msg.value / n;
        (, uint256 allowance) = hub.quote(modelId, CALLBACK_GAS, maxFeePerGas);
        for (uint256 i; i < n; ++i) {
            uint256 id = _ask(modelId, inputs[i], deadline, each, allowance, maxFeePerGas);
            if (i == 0) firstId = id;
        }
    }

    /// @dev One request paying `value`: `allowance` for gas, the rest the fee.
    function _ask(
        uint256 modelId,
        bytes calldata input,
        uint64 deadline,
        uint256 value,
        uint256 allowance,
        uint256 maxFeePerGas
    ) private returns (uint256 requestId) {
        requestId = hub.requestInference{value: value}(
            modelId, input, deadline, address(this), CALLBACK_GAS, allowance, maxFeePerGas
        );
        // value <= msg.value, far below 2^96 in practice: the hub escrows it
        // forge-lint: disable-next-line(unsafe-typecast)
        answers[requestId] = Answer(msg.sender, uint96(value - allowance), false, false, 0, 0);
    }

    /// @inheritdoc ICredenceConsumer
    function onInferenceResult(uint256 requestId, bytes calldata output) external {
        if (msg.sender != address(hub)) revert OnlyHub(msg.sender);
        CredenceTensors.Tensor[] memory tensors = CredenceTensors.decode(output);
        for (uint256 i; i < tensors.length; ++i) {
            if (tensors[i].dtype == CredenceTensors.FLOAT32) {
                uint256 label = CredenceTensors.argmaxFloat32(tensors[i]);
                Answer storage a = answers[requestId];
                a.answered = true;
                // at most the tensor's element count, far below 2^32
                // forge-lint: disable-next-line(unsafe-typecast)
                a.label = uint32(label);
                emit Classified(requestId, a.requester, label);
                return;
            }
        }
        revert NoFloat32Output(requestId);
    }

    /// @inheritdoc ICredenceConsumer
    function onInferenceRefund(uint256 requestId, uint16 reason) external {
        if (msg.sender != address(hub)) revert OnlyHub(msg.sender);
        Answer storage a = answers[requestId];
        a.refunded = true;
        a.failureReason = reason;
        refundOf[a.requester] += a.fee;
        emit Refunded(requestId, a.requester, reason);
    }

    /// @notice Pays the caller the fees of its refunded requests (claimed from the hub's vault).
    function withdrawRefund() external {
        uint256 amount = refundOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        refundOf[msg.sender] = 0;
        if (address(this).balance < amount) hub.claim(); // refunds are credited to the consumer's balance
        emit RefundWithdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    /// @notice Refunds arrive from the hub's vault only.
    receive() external payable {
        if (msg.sender != address(hub)) revert UnexpectedSender(msg.sender);
    }
}
