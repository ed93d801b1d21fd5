"""Deep Learning with Python §3.5, Reuters topic classification, as a literate nbdev package.

`import reuters_nb` imports neither Keras nor TensorFlow, so that `reuters-nb --help` answers at once. To load a model the
package saved, use `reuters_nb.pipeline.load_trained_model`, which checks the file; Keras's own `keras.models.load_model`
works too once `reuters_nb.vectorize` is imported, whose `@keras.saving.register_keras_serializable` registers the text layer.
"""
__version__ = "0.1.0"
