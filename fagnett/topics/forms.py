from django import forms

from fagnett.core.locking import VersionedForm
from fagnett.topics.models import Topic


class TopicForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name", "description", "active"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["active"]
