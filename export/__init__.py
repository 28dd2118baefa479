"""Training (TensorFlow/Keras) and conversion to the streaming ONNX contract (tf2onnx).

Only this package imports TensorFlow, and only inside functions, so that `charstream --help`
and the generation side never pay for it.
"""
